#!/usr/bin/env python3
"""Times ListSecrets paging over many secrets (issue 12, item 6: a page
must cost about the same wherever it starts).

    scripts/bench-sm-paging.py [--secrets 10000] [--page 100] [--bin bin/awsemu]

Starts its own ephemeral awsemu on a free port, creates the secrets (no
value: metadata only, fast), then pages through them with ListSecrets and
prints the total time and the first, median and last page times: in
creation order, by name descending, and with a name filter."""
import argparse
import sys
import time

from paging_bench import DEFAULT_BIN, Client, page_through, report, server


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--secrets", type=int, default=10000)
    ap.add_argument("--page", type=int, default=100)
    ap.add_argument("--bin", default=DEFAULT_BIN)
    a = ap.parse_args()
    with server(a.bin) as port:
        sm = Client(port, "secretsmanager")
        t = time.perf_counter()
        for i in range(a.secrets):
            sm.call("CreateSecret", {"Name": "bench/%05d" % i})
        print("created %d secrets in %.1f s" % (a.secrets, time.perf_counter() - t))

        def listing(label, **kw):
            report(label, *page_through(sm, "ListSecrets", dict(kw, MaxResults=a.page),
                                        "SecretList", "NextToken", "NextToken"))
        listing("ListSecrets created asc")
        listing("ListSecrets name desc", SortBy="name", SortOrder="desc")
        listing("ListSecrets filter name", Filters=[{"Key": "name", "Values": ["bench/0"]}])


if __name__ == "__main__":
    sys.exit(main())
