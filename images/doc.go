// Package images is the appliance image side of gridkiosk, which stands
// apart from the station code: the image recipe, manifests and signing,
// and the drive handling behind gridflash live in its subpackages.
package images
