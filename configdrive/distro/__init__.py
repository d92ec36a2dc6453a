"""The distributor's kit: download OS images (fetch), check their signatures (gpg) and
version.txt (image), and write an OEM configuration (oem). Internal: the public
API is `configdrive`.
"""
