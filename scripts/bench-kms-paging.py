#!/usr/bin/env python3
"""Times KMS List* paging over many keys and aliases (issue 12: a page
must cost about the same wherever it starts; Markers are keysets).

    scripts/bench-kms-paging.py [--keys 5000] [--page 100] [--bin bin/awsemu]

Starts its own ephemeral awsemu on a free port, creates the keys and an
alias for each, then pages through ListKeys and ListAliases and prints the
total time and the first, median and last page times."""
import argparse
import sys
import time

from paging_bench import DEFAULT_BIN, Client, page_through, report, server


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--keys", type=int, default=5000)
    ap.add_argument("--page", type=int, default=100)
    ap.add_argument("--bin", default=DEFAULT_BIN)
    a = ap.parse_args()
    with server(a.bin) as port:
        kms = Client(port, "TrentService")
        t = time.perf_counter()
        for i in range(a.keys):
            kid = kms.call("CreateKey", {})["KeyMetadata"]["KeyId"]
            kms.call("CreateAlias", {"AliasName": "alias/bench-%05d" % i, "TargetKeyId": kid})
        print("created %d keys and aliases in %.1f s" % (a.keys, time.perf_counter() - t))
        report("ListKeys", *page_through(kms, "ListKeys", {"Limit": a.page}, "Keys", "Marker",
                                         "NextMarker", "Truncated"))
        report("ListAliases", *page_through(kms, "ListAliases", {"Limit": min(a.page, 100)},
                                            "Aliases", "Marker", "NextMarker", "Truncated"))


if __name__ == "__main__":
    sys.exit(main())
