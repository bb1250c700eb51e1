// Package idcard speaks to resident ID card readers that use the "SAM"
// serial protocol of GA 467, and decodes what they read: the four card
// types, their text fields and GB/T 2261.1 gender codes. Nation codes are
// looked up in the GB 3304 table of internal/codes/nation, which typed-in
// records are checked against too.
package idcard
