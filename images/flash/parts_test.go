package flash

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"strings"
	"testing"
	"time"
)

func TestProgress(t *testing.T) {
	tests := []struct {
		tty  bool
		want []string
		not  []string
	}{
		{false, []string{"写入 write  10% 1.0 MB/s 剩余 left 0:09\n", "写入 write  90%", "写入 write 100% 10.0 MB in 0:10 (1.0 MB/s)\n"}, []string{"\r", "["}},
		{true, []string{"\r写入 write [###...", "]  50% 1.0 MB/s 剩余 left 0:05", "\r写入 write 100% 10.0 MB in 0:10 (1.0 MB/s)\033[K\n"}, nil},
	}
	for _, tc := range tests {
		var out bytes.Buffer
		clock := time.Unix(0, 0)
		p := NewProgress(&out, tc.tty, func() time.Time { return clock })
		p.Start("写入 write", 10e6)
		for i := 0; i < 100; i++ {
			clock = clock.Add(100 * time.Millisecond)
			p.Add(100e3) // 1 MB/s
		}
		p.Finish()
		for _, w := range tc.want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("tty=%v: no %q in %q", tc.tty, w, out.String())
			}
		}
		for _, w := range tc.not {
			if strings.Contains(out.String(), w) {
				t.Errorf("tty=%v: %q in %q", tc.tty, w, out.String())
			}
		}
		if !tc.tty && strings.Count(out.String(), "\n") != 10 {
			t.Errorf("want 9 tenths and a last line:\n%s", out.String())
		}
	}
	var p *Progress // a nil Progress is silent
	p.Start("x", 1)
	p.Add(1)
	p.Finish()
}

func TestFirstPartition(t *testing.T) {
	mbr := func(typ byte, start, size uint32) []byte {
		b := make([]byte, 64<<10)
		e := b[446:]
		e[4] = typ
		binary.LittleEndian.PutUint32(e[8:], start)
		binary.LittleEndian.PutUint32(e[12:], size)
		b[510], b[511] = 0x55, 0xAA
		return b
	}
	gpt := func(corrupt bool) []byte {
		b := mbr(0xEE, 1, 0xFFFFFFFF)
		ents := b[1024 : 1024+128*128]
		e := ents[128:] // the second slot: the first is unused
		copy(e, "type-guid-012345")
		binary.LittleEndian.PutUint64(e[32:], 8192)
		binary.LittleEndian.PutUint64(e[40:], 8192+2047)
		h := b[512:1024]
		copy(h, "EFI PART")
		binary.LittleEndian.PutUint32(h[12:], 92)
		binary.LittleEndian.PutUint64(h[72:], 2)
		binary.LittleEndian.PutUint32(h[80:], 128)
		binary.LittleEndian.PutUint32(h[84:], 128)
		binary.LittleEndian.PutUint32(h[88:], crc32.ChecksumIEEE(ents))
		binary.LittleEndian.PutUint32(h[16:], crc32.ChecksumIEEE(h[:92]))
		if corrupt {
			e[40] ^= 1
		}
		return b
	}
	tests := []struct {
		name string
		disk []byte
		want Partition
		err  string
	}{
		{"mbr", mbr(0x0C, 2048, 65536), Partition{1 << 20, 32 << 20}, ""},
		{"gpt", gpt(false), Partition{4 << 20, 1 << 20}, ""},
		{"gpt corrupt", gpt(true), Partition{}, "checksum"},
		{"no table", make([]byte, 4096), Partition{}, "no partition table"},
		{"empty", mbr(0, 0, 0), Partition{}, "no partition"},
		{"extended", mbr(0x05, 2048, 100), Partition{}, "extended"},
	}
	for _, tc := range tests {
		got, err := FirstPartition(bytes.NewReader(tc.disk))
		if got != tc.want || (err == nil) != (tc.err == "") || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("%s: %+v, %v; want %+v, %q", tc.name, got, err, tc.want, tc.err)
		}
	}
}

func TestApply(t *testing.T) {
	buf := []byte("0123456789")
	apply(buf, 100, []Patch{{95, []byte("abcdefg")}, {104, []byte("XY")}, {109, []byte("ZZZ")}, {200, []byte("no")}})
	if string(buf) != "fg23XY678Z" {
		t.Fatalf("apply: %s", buf)
	}
}
