package citizenid

import (
	"errors"
	"fmt"
	"time"
)

func ExampleParse() {
	n, err := Parse("１１０１０５ １９４９１２３１ ００２ｘ")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(n, n.Kind, n.Gender, n.Birth.Format(time.DateOnly))
	fmt.Println(n.Age(time.Date(2025, 12, 30, 0, 0, 0, 0, time.UTC)))
	// Output:
	// 1101**********002X resident female 1949-12-31
	// 75
}

func ExampleParse_error() {
	_, err := Parse("110105194912310021")
	var e *Error
	if errors.As(err, &e) && e.Reason == BadCheck {
		fmt.Println(err)
	}
	// Output: citizen ID: check character is 1, want X
}

func ExampleMaskName() {
	fmt.Println(MaskName("欧阳小明"), MaskName("John Smith"))
	// Output: 欧**明 J*** S****
}
