# svmsim-run, one program: per kernel and model, the invalidation callbacks, the entries
# they flushed and the collateral (entries outside the range that changed), as the run
# counted them; below, if the program's streams were recorded, the replay of each kernel's
# secondary-model recording under both models (svmsim-replay): entries flushed and
# collateral, secondary against range.
# Input: data (TSV: label, calls, flushed, collateral), rdata (TSV: kernel, secondary
# flushed, secondary collateral, range flushed, range collateral; "" = no replay), out, ttl.
load gpdir."/style.gp"
W = 1050; H = (rdata eq "" ? 420 : 760)
do for [fmt in formats] {
	eval term(fmt)
	if (rdata ne "") { set multiplot layout 2,1 title "svmsim-run -- ".ttl }
	set style data histograms
	set style histogram clustered gap 1
	set style fill solid 0.8 border -1
	set boxwidth 0.9
	set logscale y
	set yrange [0.8:*]
	set format y "10^{%L}"
	set xtics nomirror
	set key outside right top vertical
	set title (rdata eq "" ? "svmsim-run -- ".ttl : "the run (live counts), per kernel and model")
	plot data u ($2 + 0.9):xtic(1) ls 1 t "callbacks", "" u ($3 + 0.9) ls 3 t "entries flushed", \
	     "" u ($4 + 0.9) ls 2 t "collateral"
	if (rdata ne "") {
		set title "the secondary-model recording replayed with both models (svmsim-replay)"
		plot rdata u ($2 + 0.9):xtic(1) ls 1 t "secondary: flushed", \
		     "" u ($3 + 0.9) lc rgb "#9ecae1" t "secondary: collateral", \
		     "" u ($4 + 0.9) ls 2 t "range: flushed", "" u ($5 + 0.9) lc rgb "#fc9272" t "range: collateral"
		unset multiplot
	}
}
