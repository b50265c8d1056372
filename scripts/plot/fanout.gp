# Fan-out to K devices (MADV_DONTNEED of one cached page, range model,
# 200 us device completion latency, sync and queued): what binding the mm to K devices
# adds to the operation (bound p50 - unbound p50, median of three rounds),
# serial (a notifier per device, each flush waited for in turn) against
# parallel (SVMSIM_BIND_FANOUT: one two-pass notifier posts the flush to
# every device, then waits for them all), and the first device's own
# callback latency.
load gpdir."/style.gp"
W = 1100; H = 440
do for [fmt in formats] {
	eval term(fmt)
	set multiplot layout 1,2 title "Fan-out to K devices, dontneed of 1 page, range model, 200 us device latency -- ".ttl
	set logscale y
	set xlabel "devices bound (K)"
	set logscale x 2
	set xtics (1, 2, 4, 8)
	set xrange [0.8:10]
	set key top left
	set title "what the devices add to the operation"
	set ylabel "bound p50 - unbound p50 (us)"
	plot f("fanout-serial") u 1:($2/1000) w lp ls 1 t "sync, serial (a notifier per device)", \
	     f("fanout-parallel") u 1:($2/1000) w lp ls 2 t "sync, parallel (two-pass fan-out)", \
	     f("fanout-queued-serial") u 1:($2/1000) w lp ls 1 dt 2 t "queued, serial", \
	     f("fanout-queued-parallel") u 1:($2/1000) w lp ls 2 dt 2 t "queued, parallel"
	set title "device 0's invalidation callback"
	set ylabel "callback p50 (us)"
	plot f("fanout-serial") u 1:($3/1000) w lp ls 1 t "sync, serial", \
	     f("fanout-parallel") u 1:($3/1000) w lp ls 2 t "sync, parallel", \
	     f("fanout-queued-serial") u 1:($3/1000) w lp ls 1 dt 2 t "queued, serial", \
	     f("fanout-queued-parallel") u 1:($3/1000) w lp ls 2 dt 2 t "queued, parallel"
	unset multiplot
}
