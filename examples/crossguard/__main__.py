"""The lapse policy pack: `pulumi preview --policy-pack examples/crossguard`."""

from lapse.crossguard import serve

serve()
