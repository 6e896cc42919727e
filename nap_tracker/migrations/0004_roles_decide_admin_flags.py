# Before this version, User.save set is_staff/is_superuser for administrators but never cleared them,
# so an administrator moved to another role kept the admin site. The role now decides both ways;
# this brings existing rows in line.
from django.db import migrations


def roles_decide_flags(apps, schema_editor):
    User = apps.get_model("nap_tracker", "User")
    User.objects.filter(role="admin").update(is_staff=True, is_superuser=True)
    User.objects.exclude(role="admin").update(is_staff=False, is_superuser=False)


class Migration(migrations.Migration):
    dependencies = [("nap_tracker", "0003_user_time_zone")]

    operations = [migrations.RunPython(roles_decide_flags, migrations.RunPython.noop)]
