"""The investigator's side: many verified bundles in, offender networks out (docs/police.md).

:mod:`.model` holds what one case gives a force (offender identifiers, offender messages, offender
images as PDQ, payment instructions), :mod:`.links` and :mod:`.clusters` find what cases share,
:mod:`.sharing` compares keyed hashes with another force. Reading bundles (:mod:`.bundle_reader`)
and the force database (:mod:`.store`) are the adapters around them.
"""

__all__: list[str] = []
