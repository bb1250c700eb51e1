package citizenid

import "testing"

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
