# Entries each munmap of 64 pages flushed, secondary against range model,
# against the other entries cached.  The 64 pages changed; everything above
# the dashed line is collateral: entries outside the range that changed,
# flushed because a callback was given a wider range (6.12 widens secondary
# flushes over 33 pages to the whole address space; on both kernels a munmap
# that splits a larger VMA first brackets the 2M around the split point, which
# only the range model's invalidate_range_start sees).
load gpdir."/style.gp"
W = 900; H = 500
do for [fmt in formats] {
	eval term(fmt)
	set title "Entries flushed per munmap of 64 pages, all callbacks (above 64: collateral) -- ".ttl
	set logscale xy
	set format x "10^{%L}"
	set format y "10^{%L}"
	set xlabel "other entries cached in the device TLB"
	set ylabel "entries flushed per operation"
	set yrange [30:*]
	set key top left
	plot f("cached-secondary") u 1:6 w lp ls 1 t "secondary", \
	     f("cached-range") u 1:6 w lp ls 2 t "range", \
	     64 w l ls 4 t "the 64 pages that changed"
}
