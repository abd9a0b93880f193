"""Admin helpers shared by the apps."""


class ReadOnlyAdminMixin:
    """For models whose every write goes through a service (validated and audited): the admin
    shows the rows and their history, and changes nothing."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
