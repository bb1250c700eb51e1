// Package idcard speaks to resident ID card readers that use the "SAM"
// serial protocol of GA 467, and decodes what they read: the four card
// types, their text fields and the code tables of GB 3304 (nations) and
// GB/T 2261.1 (genders).
package idcard
