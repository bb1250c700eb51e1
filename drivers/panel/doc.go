// Package panel drives the kiosk's panel: the help and technician buttons,
// the four status LEDs, the buzzer, the PIR presence sensor and the
// optional relay, each on a GPIO pin named as periph's gpioreg knows it.
//
// Open configures the pins; a function whose pin is not configured, or
// not known to the board, is disabled rather than an error, so that one
// kiosk build serves stations with and without a relay or a sensor. Run
// debounces the inputs into Events and plays the LED and buzzer patterns
// that SetLED and Beep ask for.
//
// All timing comes from a Clock, so that tests can run the panel on a
// fake one. Pins come from a ByName function: gpioreg.ByName on a board
// (after host.Init, which registers the Linux GPIO character device where
// the kernel offers it), gpiotest pins in tests and in the simulator.
package panel
