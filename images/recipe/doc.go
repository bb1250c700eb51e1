// Package recipe is the gridkiosk appliance image recipe: build.sh makes
// a Debian 12 image for amd64 (UEFI) or arm64 (Raspberry Pi 4 and 5) with
// Debian's own tools, check.sh boots an amd64 image in qemu and checks the
// station comes up, and rootfs/ holds the files the image adds to Debian:
// systemd units, udev rules, the session, provisioning and growing
// scripts, and settings for a read-only root.
//
// The package has no Go code of its own. Its test checks a built image's
// partitions, boot files and file systems when GRIDKIOSK_IMAGE names one
// (and GRIDKIOSK_IMAGE_ARCH its architecture), and otherwise the recipe's
// own files: units, udev rules, fstab, scripts and the check's
// provisioning file.
package recipe
