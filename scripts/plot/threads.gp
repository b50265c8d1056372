# Scaling with mutator threads (munmap of 8 pages, 2 device threads busy):
# operations per second, and the p50 latency, per invalidation model.
load gpdir."/style.gp"
W = 1100; H = 440
do for [fmt in formats] {
	eval term(fmt)
	set multiplot layout 1,2 title "Thread scaling, munmap of 8 pages with 2 device threads -- ".ttl
	set xlabel "mutator threads"
	set xtics 1
	set xrange [0.5:*]
	set key top left
	set title "throughput"
	set ylabel "operations per second"
	set yrange [0:*]
	plot f("threads-secondary") u 1:2 w lp ls 1 t "secondary", \
	     f("threads-range") u 1:2 w lp ls 2 t "range"
	set title "latency"
	set ylabel "p50 operation latency (ns)"
	plot f("threads-secondary") u 1:3 w lp ls 1 t "secondary", \
	     f("threads-range") u 1:3 w lp ls 2 t "range"
	unset multiplot
}
