package recipe

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestMirrorFromAptSources: build.sh takes Debian from the build
// machine's own apt sources (lib.sh's apt_source_uri) when IMAGE_MIRROR
// is unset: the first source serving the suite's main component, in
// either of apt's formats.
func TestMirrorFromAptSources(t *testing.T) {
	for _, c := range []struct {
		name  string
		files map[string]string
		suite string
		want  string
	}{
		{"deb822", map[string]string{"sources.list.d/debian.sources": "Types: deb\n# a comment\nURIs: http://mirrors.example.cn/debian/\n" +
			"Suites: bookworm bookworm-updates\nComponents: main non-free-firmware\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\n" +
			"Types: deb\nURIs: http://mirrors.example.cn/debian-security\nSuites: bookworm-security\nComponents: main\n"},
			"bookworm", "http://mirrors.example.cn/debian"},
		{"deb822 security", map[string]string{"sources.list.d/debian.sources": "Types: deb\nURIs: http://a/debian\nSuites: bookworm\n" +
			"Components: main\n\nTypes: deb\nURIs: http://a/debian-security\nSuites: bookworm-security\nComponents: main\n"},
			"bookworm-security", "http://a/debian-security"},
		{"deb822 disabled and source-only stanzas skipped", map[string]string{"sources.list.d/x.sources": "Types: deb-src\n" +
			"URIs: http://src/debian\nSuites: bookworm\nComponents: main\n\nTypes: deb\nURIs: http://off/debian\nSuites: bookworm\n" +
			"Components: main\nEnabled: no\n\nTypes: deb\nURIs: http://on/debian\nSuites: bookworm\nComponents: main\n"},
			"bookworm", "http://on/debian"},
		{"one-line", map[string]string{"sources.list": "# deb http://old/debian bookworm main\n" +
			"deb-src http://src/debian bookworm main\ndeb [arch=amd64 signed-by=/k.gpg] https://mirrors.tuna.example/debian bookworm main contrib\n"},
			"bookworm", "https://mirrors.tuna.example/debian"},
		{"contrib only is not enough", map[string]string{"sources.list": "deb http://c/debian bookworm contrib\n"}, "bookworm", ""},
		{"another suite", map[string]string{"sources.list": "deb http://t/debian trixie main\n"}, "bookworm", ""},
		{"sources.list before sources.list.d", map[string]string{"sources.list": "deb http://first/debian bookworm main\n",
			"sources.list.d/b.list": "deb http://second/debian bookworm main\n"}, "bookworm", "http://first/debian"},
		{"nothing", map[string]string{}, "bookworm", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			etc := t.TempDir()
			for name, content := range c.files {
				writeFile(t, filepath.Join(etc, name), content)
			}
			out, err := exec.Command("bash", "-c", `. ./lib.sh && apt_source_uri "$1" "$2"`, "-", c.suite, etc).CombinedOutput()
			if err != nil {
				t.Fatalf("apt_source_uri: %v\n%s", err, out)
			}
			if got := strings.TrimSpace(string(out)); got != c.want {
				t.Errorf("apt_source_uri %s: %q, want %q", c.suite, got, c.want)
			}
		})
	}
}
