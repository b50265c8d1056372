# Batching in queued mode (MADV_DONTNEED of 8 pages by T threads started
# together, range model, 2 ms device latency): descriptors the device
# completed under one wait, the operation's p50 and p99 and the operations
# per second; one descriptor per wait (qi-batch 1: T waits in turn), up to
# 32 of whatever is pending, and a full batch of T (qi-batch T, 2 ms
# coalescing window: the batch starts once all T are posted).
load gpdir."/style.gp"
W = 1500; H = 440
do for [fmt in formats] {
	eval term(fmt)
	set multiplot layout 1,3 title "Queued invalidation batching, dontneed by T threads at once (--lockstep), 2 ms device latency -- ".ttl
	set xlabel "threads invalidating at once (T)"
	set logscale x 2
	set xtics (1, 2, 4, 8)
	set xrange [0.8:10]
	set key top left
	set title "descriptors completed per device wait"
	set ylabel "qi\\_descs / qi\\_batches"
	plot f("batch-1") u 1:2 w lp ls 1 t "qi-batch 1", \
	     f("batch-32") u 1:2 w lp ls 2 t "qi-batch 32", \
	     f("batch-full") u 1:2 w lp ls 3 t "full batch of T"
	set title "the operation: p50 (solid), p99 (dashed)"
	set ylabel "bound latency (us)"
	plot f("batch-1") u 1:($3/1000) w lp ls 1 t "qi-batch 1", \
	     f("batch-32") u 1:($3/1000) w lp ls 2 t "qi-batch 32", \
	     f("batch-full") u 1:($3/1000) w lp ls 3 t "full batch of T", \
	     f("batch-1") u 1:($5/1000) w lp ls 1 dt 2 notitle, \
	     f("batch-32") u 1:($5/1000) w lp ls 2 dt 2 notitle, \
	     f("batch-full") u 1:($5/1000) w lp ls 3 dt 2 notitle
	set title "throughput"
	set ylabel "operations per second"
	plot f("batch-1") u 1:4 w lp ls 1 t "qi-batch 1", \
	     f("batch-32") u 1:4 w lp ls 2 t "qi-batch 32", \
	     f("batch-full") u 1:4 w lp ls 3 t "full batch of T"
	unset multiplot
}
