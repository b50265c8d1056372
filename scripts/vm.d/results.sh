# shellcheck shell=bash
# shellcheck disable=SC2034  # sets variables for scripts/vm
# The results decoder of scripts/vm (sourced; bash).  The guest's /init
# (scripts/vm.d/init) writes on the results UART:
#   SVMSIM-BOOTED
#   SVMSIM-DMESG-BEGIN / base64 of the gzip'ed dmesg / SVMSIM-DMESG-END
#   SVMSIM-OUT-BEGIN / base64 of the gzip'ed tar of /out / SVMSIM-OUT-END
#   SVMSIM-STATUS cmd=N|none insmod=ok|fail|none rmmod=ok|fail|none tar=ok|fail

# results_block FILE NAME: the base64 payload between SVMSIM-NAME-BEGIN and SVMSIM-NAME-END.
results_block() {
	sed -n "/^SVMSIM-$2-BEGIN\$/,/^SVMSIM-$2-END\$/{/^SVMSIM-/d;p}" "$1"
}

# results_decode RAW TXT DMESG DEST: RAW (the UART's file) without CRs into TXT; if it has
# a status line, the guest's dmesg into DMESG and its /out unpacked into DEST (created).
# Sets status_line ('' if none), decode_ok (0 if a block could not be decoded), cmd_st,
# insmod_st, rmmod_st and tar_st ('' when the status line is missing or malformed).
results_decode() {
	local raw=$1 txt=$2 dmesg=$3 dest=$4
	tr -d '\r' <"$raw" >"$txt"
	status_line=$(grep -m1 '^SVMSIM-STATUS ' "$txt" || true)
	decode_ok=1
	: >"$dmesg"
	if [[ -n $status_line ]]; then
		results_block "$txt" DMESG | base64 -d | gzip -dc >"$dmesg" 2>/dev/null || {
			decode_ok=0
			msg "error: could not decode the guest's dmesg"
		}
		mkdir -p -- "$dest" || die "cannot create $dest"
		results_block "$txt" OUT | base64 -d | gzip -dc | tar -xf - -C "$dest" --no-same-owner --no-overwrite-dir || {
			decode_ok=0
			msg "error: could not unpack the guest's /out into $dest"
		}
	fi
	cmd_st='' insmod_st='' rmmod_st='' tar_st=''
	if [[ $status_line =~ cmd=([0-9]+|none)\ insmod=([a-z]+)\ rmmod=([a-z]+)\ tar=([a-z]+) ]]; then
		cmd_st=${BASH_REMATCH[1]} insmod_st=${BASH_REMATCH[2]} rmmod_st=${BASH_REMATCH[3]} tar_st=${BASH_REMATCH[4]}
	fi
}
