package fonts

import (
	"fmt"
	"path/filepath"
)

// The SHA-256 of the screens' faces, so that installed copies are checked
// without reading the copies embedded in the binary (see restSHA256).
// TestDigests holds them to the embedded bytes: set them again when a
// face is rebuilt.
const (
	regularSHA256 = "0c752bffb13190bc5e897e7c2c5e87a08955e94eba251170efcd3f8ef0761364"
	boldSHA256    = "61c0a4a122c49ecd1c4926d5ead3494239622c5a7b20bd68fc9cd90529da8a6c"
)

// Faces are the files InstallFaces put the screens' faces in.
type Faces struct {
	Regular, Bold string
}

// InstallFaces writes the screens' regular and bold faces into dir,
// unless it holds them already, and returns their paths. The kiosk has
// Fyne read them from there rather than from the copies embedded in its
// binary: Fyne's parser copies what it keeps of a face into the heap, and
// the embedded pages it read to do so would stay in the kiosk's resident
// set for its life (2.5 MB), where a file's bytes are read into a buffer
// that goes once the face is parsed. dir must not be one where Fyne looks
// among the system's fonts (InstallFallback's), or it would parse them
// again as system faces.
func InstallFaces(dir string) (Faces, error) {
	f := Faces{Regular: filepath.Join(dir, RegularName), Bold: filepath.Join(dir, BoldName)}
	for _, face := range []struct {
		path, digest string
		b            []byte
	}{
		{f.Regular, regularSHA256, droidSansFallbackSubset},
		{f.Bold, boldSHA256, notoSansSCBold},
	} {
		if err := install(face.path, face.b, face.digest); err != nil {
			return Faces{}, fmt.Errorf("fonts: install the screens' faces: %w", err)
		}
	}
	return f, nil
}
