"""The distributor's kit: download OS images (fetch), check their signatures (gpg) and
version.txt (image), write an OEM configuration (oem) and the files of a Flatcar OEM
partition (oem_kit). Internal: the public API is `configdrive`.
"""
