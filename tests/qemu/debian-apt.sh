# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh
# apt-get against another Debian release without touching the host's apt setup:
# a private sources file, lists and cache under build/qemu/apt-SUITE/, derived from
# the archive this machine is configured with (its /etc/apt/sources.list(.d) entry
# for its own release: same URI, same Signed-By), never a hard-coded mirror.
# Source it, then:
#
#	debian_apt trixie download linux-image-amd64
#	debian_apt trixie source --download-only dracut
#
# Needs $cache (the QEMU cache dir). Updates the private lists once (and again when
# they are over a week old).

# The host's own archive as "URI<TAB>SIGNED-BY" (deb822 .sources first, then the
# one-line sources.list); the stanza whose suites include the host's codename.
debian_apt_archive() {
	python3 - << 'PY'
import glob, re, sys
codename = ""
try:
    for line in open("/etc/os-release"):
        if line.startswith("VERSION_CODENAME="):
            codename = line.split("=", 1)[1].strip().strip('"')
except OSError:
    pass
found = []
for path in sorted(glob.glob("/etc/apt/sources.list.d/*.sources")):
    for stanza in re.split(r"\n\s*\n", open(path).read()):
        f = {}
        key = None
        for line in stanza.splitlines():
            if line.startswith("#") or not line.strip():
                continue
            if line[0] in " \t" and key:
                f[key] += " " + line.strip()
                continue
            key, _, val = line.partition(":")
            key = key.strip().lower()
            f[key] = val.strip()
        if f.get("enabled", "yes").lower() == "no" or "deb" not in f.get("types", "").split():
            continue
        found.append((f.get("suites", "").split(), f.get("uris", "").split(), f.get("signed-by", "")))
for path in ["/etc/apt/sources.list"] + sorted(glob.glob("/etc/apt/sources.list.d/*.list")):
    try:
        lines = open(path).read().splitlines()
    except OSError:
        continue
    for line in lines:
        line = line.split("#", 1)[0].split()
        if len(line) < 3 or line[0] != "deb":
            continue
        opts = ""
        if line[1].startswith("["):
            while not line[1].endswith("]"):
                opts += line.pop(1) + " "
            opts += line.pop(1)
        m = re.search(r"signed-by=(\S+?)\]?(\s|$)", opts)
        found.append(([line[2]], [line[1]], m.group(1) if m else ""))
for suites, uris, signed in found:
    if codename in suites and uris and "debian" in uris[0]:
        print("%s\t%s" % (uris[0], signed))
        sys.exit(0)
sys.exit("no apt source for this machine's release (%s) in /etc/apt" % (codename or "?"))
PY
}

# debian_apt SUITE APT-GET-ARGS...: apt-get with the private setup of SUITE
debian_apt() {
	_da_suite=$1
	shift
	_da_dir=$cache/apt-$_da_suite
	if [ ! -f "$_da_dir/sources.list.d/$_da_suite.sources" ]; then
		_da_arch=$(debian_apt_archive) || return 1
		mkdir -p "$_da_dir/sources.list.d" "$_da_dir/lists/partial" "$_da_dir/cache/archives/partial" \
			"$_da_dir/prefs.d"
		{
			echo "Types: deb deb-src"
			echo "URIs: ${_da_arch%%	*}"
			echo "Suites: $_da_suite"
			echo "Components: main"
			[ -z "${_da_arch#*	}" ] || echo "Signed-By: ${_da_arch#*	}"
		} > "$_da_dir/sources.list.d/$_da_suite.sources"
	fi
	_da_opts="-q -o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts=$_da_dir/sources.list.d
		-o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=$_da_dir/prefs.d
		-o Dir::State::Lists=$_da_dir/lists -o Dir::Cache=$_da_dir/cache
		-o Acquire::Languages=none"
	if [ -z "$(find "$_da_dir/lists" -name '*_InRelease' -mtime -7 2> /dev/null)" ]; then
		# shellcheck disable=SC2086 # a word list (the cache path has no blanks)
		apt-get $_da_opts update > "$_da_dir/update.log" 2>&1 || {
			cat "$_da_dir/update.log" >&2
			echo "debian_apt: apt-get update for $_da_suite failed" >&2
			return 1
		}
	fi
	# shellcheck disable=SC2086
	apt-get $_da_opts "$@"
}

# debian_apt_cache SUITE APT-CACHE-ARGS...
debian_apt_cache() {
	_da_dir=$cache/apt-$1
	shift
	apt-cache -o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$_da_dir/sources.list.d" \
		-o "Dir::State::Lists=$_da_dir/lists" -o "Dir::Cache=$_da_dir/cache" "$@"
}
