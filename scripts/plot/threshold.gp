# The PASID-wide threshold (munmap of P pages, range model, 1000 other
# entries cached): the munmap's callback p50 and the entries it removed
# outside the range, flushing page by page (threshold 0) or PASID-wide
# above 33 pages (x86) or 512 (SMMUv3).
load gpdir."/style.gp"
W = 1100; H = 440
do for [fmt in formats] {
	eval term(fmt)
	set multiplot layout 1,2 title "Flush threshold, munmap of P pages, 1000 other entries cached -- ".ttl
	set xlabel "pages per munmap (P)"
	set logscale x 2
	set key top left
	set title "the munmap's invalidation callback"
	set ylabel "callback p50 (us)"
	plot f("threshold-0") u 1:($2/1000) w lp ls 1 t "threshold 0 (never)", \
	     f("threshold-33") u 1:($2/1000) w lp ls 2 t "33 (x86)", \
	     f("threshold-512") u 1:($2/1000) w lp ls 3 t "512 (SMMUv3)"
	set title "collateral: entries removed outside the range"
	set ylabel "entries per munmap"
	plot f("threshold-0") u 1:3 w lp ls 1 t "threshold 0 (never)", \
	     f("threshold-33") u 1:3 w lp ls 2 t "33 (x86)", \
	     f("threshold-512") u 1:3 w lp ls 3 t "512 (SMMUv3)"
	unset multiplot
}
