# Power-of-two page-selective flushes (SVMSIM_CONFIG_PSI): entries flushed
# that did not change (collateral) and all entries flushed, per
# MADV_DONTNEED of N pages of a 64-page cached region, off and on.
load gpdir."/style.gp"
W = 1100; H = 440
do for [fmt in formats] {
	eval term(fmt)
	set multiplot layout 1,2 title "PSI (address + size order) against exact range flushes, MADV_DONTNEED of N of 64 cached pages -- ".ttl
	set xlabel "pages per MADV_DONTNEED"
	set logscale x 2
	set key top left
	set title "collateral"
	set ylabel "entries flushed outside the range, per op"
	plot f("psi-off") u 1:2 w lp ls 1 t "exact", \
	     f("psi-on") u 1:2 w lp ls 2 t "PSI"
	set title "all flushed"
	set ylabel "entries flushed per op"
	plot f("psi-off") u 1:3 w lp ls 1 t "exact", \
	     f("psi-on") u 1:3 w lp ls 2 t "PSI"
	unset multiplot
}
