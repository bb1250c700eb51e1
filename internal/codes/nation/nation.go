// Package nation is the GB 3304 table of China's nations: the 56 nations
// with codes "01" to "56", and "97" (other) and "98" (Chinese citizens of
// foreign descent).
//
// The table is a leaf: the card reader decodes the code a card carries
// with it, and record validation checks the names that staff type in,
// scanners deliver and the admin API receives, without either depending
// on the other.
package nation

// names is GB 3304: index i holds the nation with code i+1.
var names = [56]string{
	"汉", "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜",
	"满", "侗", "瑶", "白", "土家", "哈尼", "哈萨克", "傣", "黎", "傈僳",
	"佤", "畲", "高山", "拉祜", "水", "东乡", "纳西", "景颇", "柯尔克孜", "土",
	"达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯", "阿昌", "普米",
	"塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京", "塔塔尔",
	"独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺",
}

// The two codes GB 3304 adds after the 56 nations.
const (
	other   = "其他"
	foreign = "外国血统中国籍人士"
)

// Name returns the Chinese name of a GB 3304 nation code ("01" … "56",
// "97", "98"), and false for any other code.
func Name(code string) (string, bool) {
	switch code {
	case "97":
		return other, true
	case "98":
		return foreign, true
	}
	if len(code) != 2 || code[0] < '0' || code[0] > '9' || code[1] < '0' || code[1] > '9' {
		return "", false
	}
	n := int(code[0]-'0')*10 + int(code[1]-'0')
	if n < 1 || n > len(names) {
		return "", false
	}
	return names[n-1], true
}

// Valid reports whether name is one of GB 3304's names.
func Valid(name string) bool {
	if name == other || name == foreign {
		return true
	}
	for _, n := range names {
		if n == name {
			return true
		}
	}
	return false
}
