#!/bin/sh
# A health-check script written for ExaBGP 4's process API (encoder text, ack on), in the
# style of ExaBGP's own examples: while the service check passes, announce the service
# address; when it fails, withdraw it. Only changes are sent; each line's ack is read.
#   usage: healthcheck.sh FLAGFILE PREFIX
# The "service check" is the existence of FLAGFILE, so a test can flip it.
FLAG=$1
PREFIX=$2
state=unknown
while true; do
    if [ -e "$FLAG" ]; then new=up; else new=down; fi
    if [ "$new" != "$state" ]; then
        if [ "$new" = up ]; then
            echo "announce route $PREFIX next-hop self community [65000:100] med 10"
        else
            echo "withdraw route $PREFIX next-hop self"
        fi
        read ack
        echo "ack for $new: $ack" >&2
        state=$new
    fi
    sleep 0.1
done
