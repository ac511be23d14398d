#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Compare what ptctl reported inside the test guest (files/ptctl-*.json) with
what the guest's own sysfs said (table.txt, groups.txt), and with the policy
the guest booted with. Prints PASS/FAIL lines; exit 1 on any failure.
usage: check-ptctl.py OUT POLICY"""
import json
import os
import sys

out, policy = sys.argv[1], sys.argv[2]
fails = 0


def check(ok, what):
    global fails
    print(('PASS: ' if ok else 'FAIL: ') + what)
    fails += not ok


def load(name):
    try:
        return json.load(open(os.path.join(out, 'files', name)))
    except (OSError, ValueError) as e:
        check(False, '%s parses as JSON (%s)' % (name, e))
        return None


lst, chk = load('ptctl-list.json'), load('ptctl-check.json')
if lst is None or chk is None:
    sys.exit(1)
table = {}
for line in open(os.path.join(out, 'table.txt')):
    slot, ids, drv = line.split()
    table[slot] = (ids, None if drv == '-' else drv)
groups = {}
for line in open(os.path.join(out, 'groups.txt')):
    g, *slots = line.split()
    for s in slots:
        groups[s] = int(g)

funcs = {f['slot']: f for f in lst['functions']}
check(sorted(funcs) == sorted(table), 'ptctl list names every function the guest has (%d)' % len(table))
for slot, (ids, drv) in sorted(table.items()):
    f = funcs.get(slot)
    if not f:
        continue
    check('%s:%s' % (f['vendor'], f['device']) == ids and f['driver'] == drv and
          f['group'] == groups.get(slot, -1),
          '%s: ids %s, driver %s, group %s as in sysfs' % (slot, ids, drv, groups.get(slot)))
check(lst['policy'] == policy, 'list shows the running policy %s' % policy)
sel = {s: f['selector'] for s, f in funcs.items() if f['selector']}
check(sel == {'0000:02:00.0': policy}, 'only 02:00.0 is matched by the policy: %s' % sel)
disks = funcs['0000:03:00.0']['disks']
check(len(disks) == 1 and disks[0]['size'] == 16 << 20 and disks[0]['name'].startswith('nvme'),
      'the twin on nvme shows its 16 MiB disk: %s' % [d['name'] for d in disks])
check(funcs['0000:02:00.0']['disks'] == [], 'the bound NVMe has no block device')
find = {}
for x in chk['findings']:
    find.setdefault(x['topic'], []).append(x)
check(all(x['severity'] == 'ok' for x in find.get('iommu', [])) and 'iommu' in find, 'check: IOMMU on')
check(all(x['severity'] == 'ok' for x in find.get('irq-remap', [])) and 'irq-remap' in find,
      'check: interrupt remapping (intremap=on)')
check(any(x['severity'] == 'ok' and '02:00.0' in x['text'] for x in find.get('bound', [])),
      'check: 02:00.0 is on vfio-pci')
check(chk['errors'] == 0, 'check: no errors (%d)' % chk['errors'])
sys.exit(1 if fails else 0)
