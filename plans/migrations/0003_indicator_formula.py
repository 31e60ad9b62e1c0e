from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("plans", "0002_action_plan_label"),
    ]

    operations = [
        migrations.AddField(
            model_name="indicator",
            name="formula",
            field=models.CharField(blank=True, help_text="用本规划其他指标的编码、数字、+ - × ÷ 和括号写成，如“研发费用的编码 ÷ 营业收入的编码 × 100”；留空表示直接填报",
                                   max_length=200, verbose_name="计算公式"),
        ),
    ]
