# Latency CDF of each workload's operation (log x), one line per peer:
# none (the unbound process), secondary (intel_svm), range (KVM/HMM),
# pinned (vfio), dmirror (the kernel's HMM mirror) and the null-notifier
# floor (range shape).  One cached page per operation.
load gpdir."/style.gp"
W = 1200; H = 760
workloads = "zap dontneed munmap cow migrate mprotect"
opname(w) = w eq "zap" ? "zap ioctl" : w eq "dontneed" ? "madvise(DONTNEED)" : \
	w eq "munmap" ? "munmap" : w eq "cow" ? "first write after fork" : \
	w eq "migrate" ? "move\\_pages" : "mprotect(PROT\\_READ)"
do for [fmt in formats] {
	eval term(fmt)
	set multiplot layout 2,3 title "Operation latency CDF by peer, one cached page per op -- ".ttl
	set logscale x
	set format x "10^{%L}"
	set xlabel "latency (ns)"
	set ylabel "fraction of operations"
	set yrange [0:1]
	set key bottom right	# a CDF's empty corner
	do for [w in workloads] {
		set title opname(w)
		plot f("cdf-".w."-none") u 1:2 w l ls 4 t "none (unbound)", \
		     f("cdf-".w."-secondary") u 1:2 w l ls 1 t "secondary", \
		     f("cdf-".w."-range") u 1:2 w l ls 2 t "range", \
		     f("cdf-".w."-pinned") u 1:2 w l ls 3 t "pinned", \
		     f("cdf-".w."-dmirror") u 1:2 w l ls 5 t "dmirror", \
		     f("cdf-".w."-null-range") u 1:2 w l ls 6 t "null floor (range)"
	}
	unset multiplot
}
