# p50 and p99 of munmap and MADV_DONTNEED latency against the pages changed
# per operation, per invalidation model, with the unbound process (none).
load gpdir."/style.gp"
W = 1100; H = 460
do for [fmt in formats] {
	eval term(fmt)
	set multiplot layout 1,2 title "Latency against range size -- ".ttl
	set logscale xy
	set format y "10^{%L}"
	set xlabel "pages per operation (4 KiB)"
	set ylabel "operation latency (ns)"
	set key top left
	do for [w in "munmap dontneed"] {
		set title w eq "munmap" ? "munmap" : "madvise(MADV\\_DONTNEED)"
		plot f("size-".w."-secondary") u 1:2 w lp ls 1 t "secondary p50", \
		     "" u 1:3 w lp ls 1 dt 3 t "secondary p99", \
		     f("size-".w."-range") u 1:2 w lp ls 2 t "range p50", \
		     "" u 1:3 w lp ls 2 dt 3 t "range p99", \
		     f("size-".w."-secondary") u 1:4 w lp ls 4 t "none p50", \
		     "" u 1:5 w lp ls 4 dt 3 t "none p99"
	}
	unset multiplot
}
