"""Permission matrix of /healthz (issue #13): no login, no data — every role and an anonymous
visitor (a load balancer, a monitor) get 200 while the database answers."""

from tests.matrix import S, nothing

MATRIX = {
    "healthz": (nothing, S(200, 200, 200, 200, 200, anonymous=200)),
}
