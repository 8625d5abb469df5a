"""reverse() once for a list: a page of twenty bookings needs twenty links of one shape."""

from collections.abc import Callable

from django.urls import reverse


def url_maker(name: str, sample: object) -> Callable[[object], str]:
    """The URL named `name` for any one argument like `sample` (a value its converter accepts,
    written the same way in the URL), by filling the argument into one reversed URL."""
    reversed_url = reverse(name, args=[sample])
    head, tail = reversed_url.split(str(sample), 1)
    return lambda value: f"{head}{value}{tail}"
