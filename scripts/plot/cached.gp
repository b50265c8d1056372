# In-kernel flush latency (each invalidation callback) against the entries
# cached besides the 64 pages a munmap changes, per invalidation model.
load gpdir."/style.gp"
W = 900; H = 500
do for [fmt in formats] {
	eval term(fmt)
	set title "In-kernel flush latency against cached entries (munmap of 64 pages) -- ".ttl
	set logscale xy
	set format x "10^{%L}"
	set format y "10^{%L}"
	set xlabel "other entries cached in the device TLB"
	set ylabel "munmap's invalidation callback latency (ns)"
	set key top left
	plot f("cached-secondary") u 1:2 w lp ls 1 t "secondary p50", \
	     "" u 1:3 w lp ls 1 dt 3 t "secondary p99", \
	     f("cached-range") u 1:2 w lp ls 2 t "range p50", \
	     "" u 1:3 w lp ls 2 dt 3 t "range p99"
}
