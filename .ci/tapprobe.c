/*
 * tapprobe: tap → next frame latency, measured at the X server.
 *
 * A tap is injected with XTEST (as the X server would receive one from a
 * touchscreen's driver), and the next frame is the first DAMAGE the
 * server reports on the screen after it: the moment the new pixels are in
 * the frame buffer, whoever drew them. Before each tap the screen must
 * have been quiet (no damage) for QUIET_MS, so the frame counted is the
 * tap's. Taps alternate between two points (e.g. the start screen's two
 * language buttons), so every tap changes the screen.
 *
 * usage: tapprobe X1 Y1 X2 Y2 N
 * prints one line per tap ("first_ms settled_ms") on stdout: first is
 * the first frame after the tap, settled the last one before the screen
 * was quiet again.
 */
#include <X11/Xlib.h>
#include <X11/extensions/Xdamage.h>
#include <X11/extensions/XTest.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define QUIET_MS 400
#define GIVE_UP_MS 5000

static double now_ms(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* next_damage waits up to ms for a damage event; it returns its time, or
 * a negative number when none came. */
static double next_damage(Display *d, Damage dmg, int ev_base, double ms) {
	double until = now_ms() + ms;
	for (;;) {
		while (XPending(d)) {
			XEvent e;
			XNextEvent(d, &e);
			if (e.type == ev_base + XDamageNotify) {
				double t = now_ms();
				XDamageSubtract(d, dmg, None, None);
				XFlush(d);
				return t;
			}
		}
		double left = until - now_ms();
		if (left <= 0)
			return -1;
		struct pollfd p = {.fd = ConnectionNumber(d), .events = POLLIN};
		poll(&p, 1, (int)left + 1);
	}
}

/* settle waits until no damage came for QUIET_MS and returns the time of
 * the last one (start when there was none). */
static double settle(Display *d, Damage dmg, int ev_base, double start) {
	double last = start, t;
	while ((t = next_damage(d, dmg, ev_base, QUIET_MS)) >= 0) {
		last = t;
		if (last - start > GIVE_UP_MS) {
			fprintf(stderr, "tapprobe: the screen never went quiet\n");
			exit(1);
		}
	}
	return last;
}

int main(int argc, char **argv) {
	if (argc != 6) {
		fprintf(stderr, "usage: tapprobe X1 Y1 X2 Y2 N\n");
		return 2;
	}
	int pts[2][2] = {{atoi(argv[1]), atoi(argv[2])}, {atoi(argv[3]), atoi(argv[4])}};
	int n = atoi(argv[5]);
	Display *d = XOpenDisplay(NULL);
	if (!d) {
		fprintf(stderr, "tapprobe: cannot open display\n");
		return 1;
	}
	int ev_base, err_base, xt_ev, xt_err, maj, min;
	if (!XDamageQueryExtension(d, &ev_base, &err_base) || !XTestQueryExtension(d, &xt_ev, &xt_err, &maj, &min)) {
		fprintf(stderr, "tapprobe: the X server lacks DAMAGE or XTEST\n");
		return 1;
	}
	Damage dmg = XDamageCreate(d, DefaultRootWindow(d), XDamageReportNonEmpty);
	XSync(d, False);
	for (int i = 0; i < n; i++) {
		int *p = pts[i % 2];
		XTestFakeMotionEvent(d, -1, p[0], p[1], CurrentTime);
		XFlush(d);
		settle(d, dmg, ev_base, now_ms()); /* hover, and the tap before */
		double t0 = now_ms();
		XTestFakeButtonEvent(d, 1, True, CurrentTime);
		XTestFakeButtonEvent(d, 1, False, CurrentTime);
		XFlush(d);
		double first = next_damage(d, dmg, ev_base, GIVE_UP_MS);
		if (first < 0) {
			fprintf(stderr, "tapprobe: no frame within %d ms of the tap at %d,%d\n", GIVE_UP_MS, p[0], p[1]);
			return 1;
		}
		double last = settle(d, dmg, ev_base, first);
		printf("%.1f %.1f\n", first - t0, last - t0);
		fflush(stdout);
	}
	XCloseDisplay(d);
	return 0;
}
