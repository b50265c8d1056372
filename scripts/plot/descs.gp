# K descriptors under one wait against K waits, in one callback: one
# MADV_DONTNEED of K cached pages, range model, queued, one descriptor
# per page (--page-descs on, SMMUv3 without range invalidation);
# qi-batch 1 (a device wait per page) against qi-batch 64 (one wait for
# all K), at 20 us (the waiter spins) and 200 us (it sleeps) of device
# latency.  Left: the callback's p50; right: how many times shorter one
# wait is than K, against the issue's K/2.
load gpdir."/style.gp"
W = 1100; H = 440
do for [fmt in formats] {
	eval term(fmt)
	set multiplot layout 1,2 title "K page descriptors, dontneed of K pages, range model, queued -- ".ttl
	set xlabel "pages = descriptors (K)"
	set logscale x 2
	set xtics (1, 2, 4, 8, 16, 32, 64)
	set xrange [0.8:80]
	set logscale y
	set key top left
	set title "the invalidation callback"
	set ylabel "callback p50 (us)"
	plot f("descs-200000") u 1:($2/1000) w lp ls 1 t "200 us, a wait per page", \
	     f("descs-200000") u 1:($3/1000) w lp ls 2 t "200 us, one wait", \
	     f("descs-20000") u 1:($2/1000) w lp ls 1 dt 2 t "20 us, a wait per page", \
	     f("descs-20000") u 1:($3/1000) w lp ls 2 dt 2 t "20 us, one wait"
	set title "one wait against K: times shorter"
	set ylabel "p50 (a wait per page) / p50 (one wait)"
	plot f("descs-200000") u 1:($2/$3) w lp ls 2 t "200 us", \
	     f("descs-20000") u 1:($2/$3) w lp ls 2 dt 2 t "20 us", \
	     f("descs-200000") u 1:($1/2) w l ls 3 dt 3 t "K/2 (the issue's target)"
	unset multiplot
}
