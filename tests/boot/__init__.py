"""Boot a real Debian 12 guest with our drives and metadata service; cloud-init is the judge."""
