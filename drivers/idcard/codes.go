package idcard

// nations is GB 3304: index i holds the nation with code i+1.
var nations = [56]string{
	"汉", "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜",
	"满", "侗", "瑶", "白", "土家", "哈尼", "哈萨克", "傣", "黎", "傈僳",
	"佤", "畲", "高山", "拉祜", "水", "东乡", "纳西", "景颇", "柯尔克孜", "土",
	"达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯", "阿昌", "普米",
	"塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京", "塔塔尔",
	"独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺",
}

// The two codes GB 3304 adds after the 56 nations.
const (
	nationOther   = "其他"
	nationForeign = "外国血统中国籍人士"
)

// Nation returns the Chinese name of a GB 3304 nation code ("01" … "56",
// "97", "98"), and false for any other code.
func Nation(code string) (string, bool) {
	switch code {
	case "97":
		return nationOther, true
	case "98":
		return nationForeign, true
	}
	if len(code) != 2 || code[0] < '0' || code[0] > '9' || code[1] < '0' || code[1] > '9' {
		return "", false
	}
	n := int(code[0]-'0')*10 + int(code[1]-'0')
	if n < 1 || n > len(nations) {
		return "", false
	}
	return nations[n-1], true
}

// ValidNationName reports whether name is one of GB 3304's names.
func ValidNationName(name string) bool {
	if name == nationOther || name == nationForeign {
		return true
	}
	for _, n := range nations {
		if n == name {
			return true
		}
	}
	return false
}

// Gender returns the wire name of a GB/T 2261.1 gender code as the card
// carries it: '1' male, '2' female, '0' unknown and '9' unspecified (both
// reported as unknown).
func Gender(code string) (string, bool) {
	switch code {
	case "1":
		return "male", true
	case "2":
		return "female", true
	case "0", "9":
		return "unknown", true
	}
	return "", false
}
