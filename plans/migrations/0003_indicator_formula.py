from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("plans", "0002_action_plan_label"),
    ]

    operations = [
        migrations.AddField(
            model_name="indicator",
            name="formula",
            field=models.CharField(blank=True, help_text="由本规划其他指标编码计算，如 PH01 / PH10 * 100；留空表示直接填报",
                                   max_length=200, verbose_name="计算公式"),
        ),
    ]
