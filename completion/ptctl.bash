# SPDX-License-Identifier: GPL-2.0-or-later
# bash completion for ptctl(8): its commands, each command's options, and the PCI slots of
# the host (from sysfs, under --root DIR when given), also as guarded SLOT@VENDOR:DEVICE.
# Installed as /usr/share/bash-completion/completions/ptctl.
# shellcheck disable=SC2207 # COMPREPLY=($(compgen ...)): the bash-completion idiom

# The PCI functions under ROOT: "03:00.0" (domain 0000 left out, as lspci does).
_ptctl_slots()
{
	local root=$1 d s
	for d in "${root%/}"/sys/bus/pci/devices/*; do
		[[ -e $d ]] || continue
		s=${d##*/}
		[[ $s == 0000:* ]] && s=${s#0000:}
		printf '%s\n' "$s"
	done
}

# "SLOT@VENDOR:DEVICE" for the function at SLOT under ROOT (the form ptctl cmdline writes).
_ptctl_guarded()
{
	local root=$1 slot=$2 v d p
	p=${root%/}/sys/bus/pci/devices/$slot
	[[ -e $p ]] || p=${root%/}/sys/bus/pci/devices/0000:$slot
	[[ -r $p/vendor && -r $p/device ]] || return
	read -r v < "$p/vendor"
	read -r d < "$p/device"
	printf '%s@%s:%s\n' "$slot" "${v#0x}" "${d#0x}"
}

_ptctl()
{
	local cur prev words cword
	_init_completion -n :=@ || return

	local global_opts='--root --cmdline-file --policy --json --no-disks --pci-ids --hwdb --no-hwdb
		--tuning --help --version'
	local commands='list check cmdline entry boot bind unbind virt tune migrate status'
	local vm_opts='--vm-cpus --vm-memory --vm-pages --cross-numa --no-isolcpus --no-nohz --no-rcu-nocbs
		--no-irqaffinity'
	local root=/ cmd='' sub='' i w

	# the command (and entry/boot's subcommand), skipping options and their values
	for ((i = 1; i < cword; i++)); do
		w=${words[i]}
		case $w in
			--root) root=${words[i + 1]:-/}; ((i++)); continue ;;
			--root=*) root=${w#--root=}; continue ;;
			--cmdline-file | --policy | --pci-ids | --tuning | -s | -d | --title | --kernel | \
				--to | --format | --vm-cpus | --vm-memory | --vm-pages | --select | --rebuild-with)
				((i++))
				continue
				;;
			-*) continue ;;
		esac
		if [[ -z $cmd ]]; then
			cmd=$w
		elif [[ -z $sub && ($cmd == entry || $cmd == boot) ]]; then
			sub=$w
		fi
	done

	case $prev in
		--root)
			_filedir -d
			return
			;;
		--cmdline-file | --pci-ids | --tuning)
			_filedir
			return
			;;
		-s | --select)
			COMPREPLY=($(compgen -W "$(_ptctl_slots "$root")" -- "$cur"))
			__ltrim_colon_completions "$cur"
			return
			;;
		-d | --policy | --title | --vm-cpus | --vm-memory | --args)
			return
			;;
		--vm-pages)
			COMPREPLY=($(compgen -W '2M 1G' -- "$cur"))
			return
			;;
		--kernel)
			local k
			COMPREPLY=($(compgen -W "$(for k in "${root%/}"/lib/modules/*/; do
				[[ -d $k ]] && k=${k%/} && printf '%s\n' "${k##*/}"; done)" -- "$cur"))
			return
			;;
		--to)
			COMPREPLY=($(compgen -W "$(for k in /sys/bus/pci/drivers/*; do
				[[ -e $k ]] && printf '%s\n' "${k##*/}"; done)" -- "$cur"))
			return
			;;
		--format)
			COMPREPLY=($(compgen -W 'libvirt virt-install qemu pin' -- "$cur"))
			return
			;;
		--rebuild-with)
			COMPREPLY=($(compgen -c -- "$cur"))
			return
			;;
		--revert)
			COMPREPLY=($(compgen -W "$(for k in "${root%/}"/var/lib/ptboot/backup/*/manifest; do
				[[ -f $k ]] && k=${k%/manifest} && printf '%s\n' "${k##*/}"; done)" -- "$cur"))
			[[ $cur == -* ]] || return
			;;
	esac

	local opts='' sels=''
	case $cmd in
		'')
			if [[ $cur == -* ]]; then
				COMPREPLY=($(compgen -W "$global_opts" -- "$cur"))
			else
				COMPREPLY=($(compgen -W "$commands" -- "$cur"))
			fi
			return
			;;
		list) opts='-s -d --json --no-disks --pci-ids --hwdb --no-hwdb' ;;
		check) opts='--policy --json --no-disks --pci-ids --hwdb --no-hwdb --tuning' sels=1 ;;
		cmdline) opts='--policy --no-disks --tuning --no-complete' sels=1 ;;
		entry)
			case $sub in
				'')
					COMPREPLY=($(compgen -W 'add remove status' -- "$cur"))
					return
					;;
				add) opts="--policy --title --default --windows --kernel --no-update
					--no-disks --tuning --no-complete --args --keep-edits --force
					$vm_opts" sels=1 ;;
				remove) opts='--kernel --no-update' ;;
				status) opts= ;;
			esac
			;;
		boot)
			if [[ -z $sub && $cur != -* ]]; then
				COMPREPLY=($(compgen -W 'vm bare-metal windows' -- "$cur"))
				return
			fi
			opts='--once --force --cancel-once'
			;;
		bind) opts='--group --force --dry-run --verbose --no-complete' sels=1 ;;
		unbind) opts='--to --group --dry-run --verbose' sels=1 ;;
		virt) opts="--policy --format --no-complete $vm_opts" sels=1 ;;
		tune) opts="--json $vm_opts" ;;
		migrate) opts='--dry-run --apply --revert --select --rebuild-with --json --force' ;;
		status) opts= ;;
		*) return ;;
	esac

	if [[ $cur == -* || -z $sels ]]; then
		COMPREPLY=($(compgen -W "$opts --root --help" -- "$cur"))
		return
	fi
	# a selector: a slot, and once it is complete, its guarded form SLOT@VENDOR:DEVICE
	if [[ $cur == *@* ]]; then
		COMPREPLY=($(compgen -W "$(_ptctl_guarded "$root" "${cur%%@*}")" -- "$cur"))
	else
		local slots
		slots=$(_ptctl_slots "$root")
		COMPREPLY=($(compgen -W "$slots" -- "$cur"))
		if ((${#COMPREPLY[@]} == 1)) && [[ ${COMPREPLY[0]} == "$cur" ]]; then
			COMPREPLY=("$cur" "$(_ptctl_guarded "$root" "$cur")")
		fi
	fi
	__ltrim_colon_completions "$cur"
} && complete -F _ptctl ptctl
