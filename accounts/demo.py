"""Demo accounts of the three officers (三员, issue #14 item 7), made by ``manage.py seed_demo``.

They share the demo password; at their first log-in each binds a TOTP authenticator (the page
shows the QR code and the key as text: ``oathtool --totp -b KEY`` gives the code without a phone).
"""

from committees.demo import DEMO_PASSWORD

from .models import User

OFFICERS = (
    ("xitong", User.Role.SYSADMIN, "系统管理员", "账号、角色与范围"),
    ("anquan", User.Role.SECADMIN, "安全管理员", "锁定、密码重置、会话、两步验证"),
    ("shenji", User.Role.AUDITOR, "审计管理员", "查询、导出审计记录（只读）"),
)


def seed(demo=None) -> int:
    made = 0
    for username, role, full_name, _what in OFFICERS:
        if User.objects.filter(username=username).exists():
            continue
        user = User(username=username, role=role, full_name=full_name, email=f"{username}@dangwei.example.cn")
        user.set_password(DEMO_PASSWORD)
        user.full_clean()
        user.save()
        made += 1
        if demo is not None:
            demo.count("账号")
    return made


def login_lines() -> list[str]:
    roles = dict(User.Role.choices)
    return [
        f"  {username:<10} {DEMO_PASSWORD:<10} {roles[role]} · {what}（首次登录绑定手机验证器）"
        for username, role, _name, what in OFFICERS
    ]
