# Flush latency against the simulated device latency (munmap of 8 pages,
# range model): the munmap's own callback (UNMAP event) p50 and p99, and
# the whole operation's p50 bound and unbound, sync against queued; the
# issue's bound for a queued flush (1.2 x latency + sync's p50).  The
# latencies run from hardware's (0-5 us) to where TCG's slowdown of kernel
# code puts the same ratio (10-200 us): one tick each.
load gpdir."/style.gp"
W = 1100; H = 440
do for [fmt in formats] {
	eval term(fmt)
	set multiplot layout 1,2 title "Flush latency against device latency, munmap of 8 pages, range model -- ".ttl
	set xlabel "simulated invalidation completion latency (us)"
	set key top left
	set logscale y
	set title "the munmap's invalidation callback"
	set ylabel "callback latency (ns)"
	plot f("latency-sync") u 0:2:xtic(sprintf("%g", $1/1000)) w lp ls 1 t "sync p50", \
	     f("latency-sync") u 0:3 w lp ls 1 dt 2 t "sync p99", \
	     f("latency-queued") u 0:2 w lp ls 2 t "queued p50", \
	     f("latency-queued") u 0:3 w lp ls 2 dt 2 t "queued p99", \
	     f("latency-bound") u 0:2 w l ls 3 dt 3 t "1.2 x latency + sync p50"
	set title "the munmap"
	set ylabel "p50 operation latency (ns)"
	plot f("latency-sync") u 0:4:xtic(sprintf("%g", $1/1000)) w lp ls 1 t "sync, bound", \
	     f("latency-queued") u 0:4 w lp ls 2 t "queued, bound", \
	     f("latency-sync") u 0:5 w lp ls 4 t "unbound"
	unset multiplot
}
