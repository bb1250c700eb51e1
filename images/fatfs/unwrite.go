package fatfs

import (
	"fmt"
	"os"
)

// Unwrite returns the writes that would take the file system back to how
// it was before WriteFile(path) created the file and, with it, the last
// dirs directories of path. Because WriteFile only ever replaces zeros,
// the answer is exact: zeros over the new directory slots, clusters and
// FAT entries, and the FSInfo free count raised by the clusters taken.
// Nothing is written; gridflash lays the patches over what it reads from
// a provisioned card to check it against the image's hashes.
func (fs *FS) Unwrite(path string, dirs int) ([]Patch, error) {
	parts := splitPath(path)
	if dirs < 0 || dirs >= len(parts) {
		return nil, fmt.Errorf("fatfs: unwrite %s: %d directories out of range", path, dirs)
	}
	steps, _, err := fs.walk(path)
	if err != nil {
		return nil, err
	}
	if len(steps) != len(parts) {
		return nil, fmt.Errorf("fatfs: unwrite %s: %w", path, os.ErrNotExist)
	}
	slotZero := make([]byte, entrySize)
	clusterZero := make([]byte, fs.ClusterSize)
	var out []Patch
	var taken uint32
	for _, st := range steps[len(steps)-1-dirs:] {
		for i := 0; i < st.e.nslots; i++ {
			out = append(out, Patch{st.in.slotOff(st.e.slot + i), slotZero})
		}
		if st.e.cluster == 0 {
			continue
		}
		cl, err := fs.chain(st.e.cluster)
		if err != nil {
			return nil, err
		}
		for _, c := range cl {
			out = append(out, Patch{fs.clusterOff(c), clusterZero})
			out = append(out, fs.fatEntryPatches(c, 0)...)
		}
		taken += uint32(len(cl))
	}
	free, ok, err := fs.freeCount()
	if err != nil {
		return nil, err
	}
	if ok {
		out = append(out, fs.freeCountPatch(free+taken))
	}
	return out, nil
}
