package voice

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestLoadPack(t *testing.T) {
	good := map[string][]byte{"a": tone(440, 0.3, mono22k), "b": tone(660, 0.3, mono22k)}
	// Each case spoils a good pack one way; the error must name the
	// prompt and the file a technician has to look at.
	for _, tc := range []struct {
		name  string
		spoil func(t *testing.T, dir string)
		want  []string // in the error
	}{
		{"good", func(*testing.T, string) {}, nil},
		{"missing file", func(t *testing.T, dir string) {
			rm(t, filepath.Join(dir, "b.wav"))
		}, []string{`prompt "b"`, "b.wav", "no such file"}},
		{"wrong hash", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, "a.wav"), tone(500, 0.3, mono22k))
		}, []string{`prompt "a"`, "a.wav", "sha256", "changed or damaged"}},
		{"unknown id", func(t *testing.T, dir string) {
			editManifest(t, dir, func(m *Manifest) { m.Prompts[0].ID = "screen.nowhere" })
		}, []string{`prompt "screen.nowhere"`, "manifest.json", "not one the kiosk knows"}},
		{"listed twice", func(t *testing.T, dir string) {
			editManifest(t, dir, func(m *Manifest) { m.Prompts = append(m.Prompts, m.Prompts[0]) })
		}, []string{"manifest.json", "listed twice"}},
		{"outside the pack", func(t *testing.T, dir string) {
			editManifest(t, dir, func(m *Manifest) { m.Prompts[0].File = "../a.wav" })
		}, []string{"manifest.json", `"../a.wav"`, "inside the pack"}},
		{"not a WAV", func(t *testing.T, dir string) {
			b := []byte("ID3 this is an mp3")
			write(t, filepath.Join(dir, "a.wav"), b)
			editManifest(t, dir, func(m *Manifest) {
				for i := range m.Prompts {
					if m.Prompts[i].ID == "a" {
						m.Prompts[i].SHA256 = sha(b)
					}
				}
			})
		}, []string{`prompt "a"`, "a.wav", "not a RIFF WAVE"}},
		{"8-bit recording", func(t *testing.T, dir string) {
			b := tone(440, 0.3, mono22k)
			b[34] = 8 // bits per sample
			write(t, filepath.Join(dir, "a.wav"), b)
			editManifest(t, dir, func(m *Manifest) {
				for i := range m.Prompts {
					if m.Prompts[i].ID == "a" {
						m.Prompts[i].SHA256 = sha(b)
					}
				}
			})
		}, []string{`prompt "a"`, "8 bits per sample", "16-bit PCM"}},
		{"no manifest", func(t *testing.T, dir string) {
			rm(t, filepath.Join(dir, ManifestName))
		}, []string{"manifest.json", "no such file"}},
		{"old format", func(t *testing.T, dir string) {
			editManifest(t, dir, func(m *Manifest) { m.Format = 2 })
		}, []string{"manifest.json", "format 2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writePack(t, good)
			tc.spoil(t, dir)
			p, err := LoadPack(dir, catalogue())
			if tc.want == nil {
				if err != nil {
					t.Fatalf("LoadPack: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("LoadPack took the pack: %+v", p)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

func TestPackMissingAndStale(t *testing.T) {
	dir := writePack(t, map[string][]byte{"a": tone(440, 0.2, mono22k), "b": tone(660, 0.2, mono22k)})
	editManifest(t, dir, func(m *Manifest) {
		for i := range m.Prompts {
			if m.Prompts[i].ID == "b" {
				m.Prompts[i].Text = "乙（旧的说法）"
			}
		}
	})
	p, err := LoadPack(dir, catalogue())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := p.Missing(), []string{"c", "long", "other"}; !slices.Equal(got, want) {
		t.Errorf("Missing() = %v, want %v", got, want)
	}
	if got, want := p.Stale(), []string{"b"}; !slices.Equal(got, want) {
		t.Errorf("Stale() = %v, want %v", got, want)
	}
	if !p.Synthetic() || p.Voice() != "test tones" || p.Dir() != dir || !p.Has("a") || p.Has("c") {
		t.Errorf("pack: synthetic %v voice %q dir %q has a %v has c %v", p.Synthetic(), p.Voice(), p.Dir(), p.Has("a"), p.Has("c"))
	}
	// A file changed after loading is caught when it is played.
	write(t, filepath.Join(dir, "a.wav"), tone(880, 0.2, mono22k))
	if _, err := p.Clip("a"); err == nil || !strings.Contains(err.Error(), "changed or damaged") {
		t.Errorf("Clip of a changed file: %v", err)
	}
	if _, err := p.Clip("c"); err == nil || !strings.Contains(err.Error(), `prompt "c": no audio`) {
		t.Errorf("Clip of a prompt not in the pack: %v", err)
	}
}

func TestParseManifest(t *testing.T) {
	ok := `{"format":1,"voice":"v","synthetic":false,"prompts":[{"id":"a","text":"甲","file":"a.wav","sha256":"` + strings.Repeat("ab", 32) + `"}]}`
	if m, err := ParseManifest([]byte(ok)); err != nil || len(m.Prompts) != 1 || m.Synthetic {
		t.Fatalf("ParseManifest(good) = %+v, %v", m, err)
	}
	for _, tc := range []struct{ name, in, want string }{
		{"not JSON", `format=1`, "manifest:"},
		{"unknown field", strings.Replace(ok, `"synthetic"`, `"synthetc"`, 1), "unknown field"},
		{"two values", ok + ok, "more than one"},
		{"no voice", strings.Replace(ok, `"voice":"v"`, `"voice":" "`, 1), `"voice" is empty`},
		{"no prompts", `{"format":1,"voice":"v","prompts":[]}`, "no prompts"},
		{"no id", strings.Replace(ok, `"id":"a"`, `"id":""`, 1), "prompt 1 has no id"},
		{"no text", strings.Replace(ok, `"text":"甲"`, `"text":""`, 1), `"text" is empty`},
		{"absolute", strings.Replace(ok, `"file":"a.wav"`, `"file":"/etc/a.wav"`, 1), "inside the pack"},
		{"backslash", strings.Replace(ok, `"file":"a.wav"`, `"file":"..\\a.wav"`, 1), "inside the pack"},
		{"unclean", strings.Replace(ok, `"file":"a.wav"`, `"file":"x/../a.wav"`, 1), "inside the pack"},
		{"mp3", strings.Replace(ok, `"file":"a.wav"`, `"file":"a.mp3"`, 1), "want a .wav"},
		{"short hash", strings.Replace(ok, strings.Repeat("ab", 32), "abcd", 1), "64 lower-case hex"},
		{"upper hash", strings.Replace(ok, strings.Repeat("ab", 32), strings.Repeat("AB", 32), 1), "64 lower-case hex"},
		{"not hex", strings.Replace(ok, strings.Repeat("ab", 32), strings.Repeat("zz", 32), 1), "64 lower-case hex"},
	} {
		if _, err := ParseManifest([]byte(tc.in)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: ParseManifest: %v, want an error with %q", tc.name, err, tc.want)
		}
	}
	shared := `{"format":1,"voice":"v","prompts":[` +
		`{"id":"a","text":"甲","file":"a.wav","sha256":"` + strings.Repeat("ab", 32) + `"},` +
		`{"id":"b","text":"乙","file":"a.wav","sha256":"` + strings.Repeat("ab", 32) + `"}]}`
	if _, err := ParseManifest([]byte(shared)); err == nil || !strings.Contains(err.Error(), `"a" and "b" share`) {
		t.Errorf("shared file: %v", err)
	}
}

func rm(t *testing.T, path string) {
	t.Helper()
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
}

func write(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// editManifest changes a pack's manifest as a careless technician might,
// bypassing WriteManifest's check.
func editManifest(t *testing.T, dir string, edit func(*Manifest)) {
	t.Helper()
	path := filepath.Join(dir, ManifestName)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	edit(&m)
	if b, err = json.Marshal(&m); err != nil {
		t.Fatal(err)
	}
	write(t, path, b)
}
