// Package sparse tells where a sparse file holds data, so that an image's
// holes are neither read nor hashed: gridflash writes and images/manifest
// builds from the same answer.
package sparse
