# svmsim-run on stress-ng: per stressor, the invalidation callbacks and the entries they
# flushed, of which collateral (outside the range that changed), secondary against range
# model.  Input: data (TSV: stressor, then secondary and range pairs of inv calls, entries
# flushed, collateral), out, ttl.
load gpdir."/style.gp"
W = 1000; H = 700
do for [fmt in formats] {
	eval term(fmt)
	set multiplot layout 2,1 title "svmsim-run -- stress-ng mm stressors -- ".ttl
	set style data histograms
	set style histogram clustered gap 1
	set style fill solid 0.8 border -1
	set boxwidth 0.9
	set logscale y
	set format y "10^{%L}"
	set xtics rotate by -30 nomirror
	set key top right
	set ylabel "invalidation callbacks"
	plot data u 2:xtic(1) ls 1 t "secondary", "" u 3 ls 2 t "range"
	set ylabel "entries flushed (light: collateral)"
	plot data u 4:xtic(1) ls 1 t "secondary flushed", "" u 5 ls 2 t "range flushed", \
	     "" u 6 lc rgb "#9ecae1" t "secondary collateral", "" u 7 lc rgb "#fc9272" t "range collateral"
	unset multiplot
}
