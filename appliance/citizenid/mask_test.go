package citizenid

import (
	"strings"
	"testing"
	"unicode"
)

func TestMask(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"14102919850315123X", "1410**********123X"},
		{"11010519491231002X", "1101**********002X"},
		{" 11010519491231002x\u3000", "1101**********002X"},
		{"１１０１０５１９４９１２３１００２Ｘ", "1101**********002X"},
		{"1", "*"},
		{"12", "**"},
		{"123", "1**"},
		{"123456", "1****6"},
		{"141029850315123", "141**********23"}, // old 15-digit number
		{"1101051949123100", "110***********00"},
		{"11010519491231002", "110************02"},
		{"11010519491231002X0", "110*************2X0"},
		{"张三李四", "张***"},
		{"\xff\xfe\xfd", "\ufffd**"},
	}
	for _, tt := range tests {
		if got := Mask(tt.in); got != tt.want {
			t.Errorf("Mask(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMaskName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"  ", ""},
		{"张", "*"},
		{"张三", "张*"},
		{"王小明", "王*明"},
		{"欧阳小明", "欧**明"},
		{" 王小明\u3000", "王*明"},
		{"王 小明", "王*明"},
		{"阿卜杜拉·艾则孜", "阿******孜"},
		{"J", "*"},
		{"Jo", "J*"},
		{"John", "J***"},
		{"John Smith", "J*** S****"},
		{"Jean-Luc  Picard", "J*******  P*****"},
		{"J Smith", "J S****"},
		{"A B", "A *"},
		{"J R R Tolkien", "J * * T******"},
		{"Ab C", "A* *"},
	}
	for _, tt := range tests {
		if got := MaskName(tt.in); got != tt.want {
			t.Errorf("MaskName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMaskAddress(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"山西省乡宁县昌宁镇幸福湾社区7号院7号楼2单元301", "山西省乡宁县昌宁镇幸福湾社区7号院**"},
		{"山西省乡宁县昌宁镇幸福湾社区3号楼1单元502", "山西省乡宁县昌宁镇幸福湾社区**"},
		{" 昌宁镇南街12号 ", "昌宁镇南街**"},
		{"昌宁镇南街１２号", "昌宁镇南街**"},
		{"乡宁县枣岭乡上村村二组", "乡宁县枣岭乡上村村**"},
		{"北京市朝阳区三里屯路19号院3号楼", "北京市朝阳区三里屯路19号院**"},
		{"十字街幸福小区5栋", "十字街幸福小区**"},
		{"幸福小区5-2-301", "幸福小区**"},
		{"幸福小区301", "幸福小区**"},
		{"7号楼", "**"},
		{"乡宁县昌宁镇东关村", "乡宁县昌宁镇东关村"},
		{"第一中学家属院", "第一中学家属院"},
	}
	for _, tt := range tests {
		if got := MaskAddress(tt.in); got != tt.want {
			t.Errorf("MaskAddress(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// What a masked address keeps is where the compound is: never a digit of
// the door, whatever the address.
func FuzzMaskAddress(f *testing.F) {
	f.Add("山西省乡宁县昌宁镇幸福湾社区7号院7号楼2单元301")
	f.Add("南街12号")
	f.Fuzz(func(t *testing.T, addr string) {
		whole := string([]rune(strings.TrimFunc(addr, unicode.IsSpace)))
		got := MaskAddress(addr)
		if got == whole {
			return // nothing to hide, or already hidden
		}
		kept, cut := strings.CutSuffix(got, "**")
		switch {
		case !cut:
			t.Fatalf("MaskAddress(%q) = %q: changed without a cut", addr, got)
		case cut && !strings.HasPrefix(whole, kept):
			t.Fatalf("MaskAddress(%q) = %q: what it keeps is not the address's start", addr, got)
		case cut && !isNumeral([]rune(whole[len(kept):])[0]):
			t.Fatalf("MaskAddress(%q) = %q: cut elsewhere than at a number", addr, got)
		}
	})
}
