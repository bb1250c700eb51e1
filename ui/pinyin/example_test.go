package pinyin_test

import (
	"fmt"

	"github.com/gridkiosk/gridkiosk/ui/pinyin"
)

func ExampleEngine_Candidates() {
	e := pinyin.New()
	fmt.Println(e.Candidates("wang", 5))
	fmt.Println(e.Candidates("lü", 3))
	// Output:
	// [王 网 往 忘 望]
	// [率 绿 吕]
}

func ExampleEngine_Split() {
	e := pinyin.New()
	input := "xiulan"
	for input != "" {
		first, rest := e.Split(input)
		fmt.Println(first, e.Candidates(first, 3))
		input = rest
	}
	// Output:
	// xiu [修 秀 休]
	// lan [蓝 烂 兰]
}
