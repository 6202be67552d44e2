"""Runs moto's server with EC2's documented paging for DescribeInstances and DescribeVolumes.

moto 5.2 pages DescribeInstances by reservation rather than by instance (MaxResults=1000 over reservations of 250
instances returns 250,000 instances' worth of room, and a fleet launched in batches comes back in one page), and
DescribeVolumes ignores MaxResults and NextToken altogether. EC2 documents both differently:

* DescribeInstances: MaxResults counts instances, 5-1000; a page may end part-way through a reservation, whose
  remaining instances come on the next page under the same reservation id.
* DescribeVolumes: MaxResults counts volumes, 5-500 (a larger value returns 500); NextToken continues.

This launcher replaces those two response methods in-process with ones that page as documented, then runs
moto.server with the same arguments (python3 moto_paged_as_ec2.py -H 127.0.0.1 -p PORT). Everything else is moto's own.
Requests that name ids (InstanceId.N, VolumeId.N) or omit MaxResults and NextToken are answered whole, as before.
"""

import base64
import copy
import sys

from moto.core.responses import ActionResult
from moto.ec2.exceptions import InvalidParameterCombination
from moto.ec2.responses.elastic_block_store import ElasticBlockStore
from moto.ec2.responses.instances import InstanceResponse
from moto.server import main

INSTANCES_MAX = 1000
VOLUMES_MAX = 500


def _token(offset):
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def _offset(token):
    if not token:
        return 0
    try:
        text = base64.urlsafe_b64decode(token.encode()).decode()
        return int(text.split(":", 1)[1]) if text.startswith("offset:") else 0
    except (ValueError, IndexError):
        return 0


def _page_size(response, largest):
    raw = response._get_param("MaxResults")
    if raw is None:
        return None
    return max(5, min(int(raw), largest))


def describe_instances(self):
    self.error_on_dryrun()
    if "InstanceId.1" in self.data and "MaxResults" in self.data:
        raise InvalidParameterCombination("The parameter instancesSet cannot be used with the parameter maxResults")
    filter_dict = self._filters_from_querystring()
    instance_ids = self._get_param("InstanceIds", [])
    if instance_ids:
        return ActionResult({"Reservations": self.ec2_backend.get_reservations_by_instance_ids(instance_ids, filters=filter_dict)})
    reservations = self.ec2_backend.describe_instances(filters=filter_dict)
    size = _page_size(self, INSTANCES_MAX)
    token = self._get_param("NextToken")
    if size is None and not token:
        return ActionResult({"Reservations": reservations, "NextToken": None})

    size = size or INSTANCES_MAX
    start = _offset(token)
    end = start + size
    page, seen = [], 0
    for reservation in reservations:
        count = len(reservation.instances)
        lo, hi = max(start, seen), min(end, seen + count)
        if lo < hi:
            part = copy.copy(reservation)
            part.instances = list(reservation.instances)[lo - seen : hi - seen]
            page.append(part)
        seen += count
    return ActionResult({"Reservations": page, "NextToken": _token(end) if seen > end else None})


def describe_volumes(self):
    filters = self._filters_from_querystring()
    volume_ids = self._get_param("VolumeIds", [])
    volumes = self.ec2_backend.describe_volumes(volume_ids=volume_ids, filters=filters)
    size = _page_size(self, VOLUMES_MAX)
    token = self._get_param("NextToken")
    if volume_ids or (size is None and not token):
        return ActionResult({"Volumes": volumes})

    size = size or VOLUMES_MAX
    start = _offset(token)
    end = start + size
    return ActionResult({"Volumes": list(volumes)[start:end], "NextToken": _token(end) if len(volumes) > end else None})


InstanceResponse.describe_instances = describe_instances
ElasticBlockStore.describe_volumes = describe_volumes

if __name__ == "__main__":
    main(sys.argv[1:])
