"""Every user-facing message, in Chinese and English, keyed by a stable code.

Codes never change meaning once released: editors and CI scripts match on them.
E1xx syntax, E2xx names, E3xx types and units, E4xx consistency of the policy,
W5xx warnings, I6xx notes.
"""

from __future__ import annotations

import enum

import attrs


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"

    @property
    def zh(self) -> str:
        return {"error": "错误", "warning": "警告", "note": "说明"}[self.value]


@attrs.frozen
class Text:
    zh: str
    en: str

    def render(self, lang: str, args: dict[str, str | Text]) -> str:
        # A Text given as an argument is a finished phrase, not a template: it may
        # hold braces typed by the drafter, so it is never formatted again.
        resolved = {k: (v.zh if lang == "zh" else v.en) if isinstance(v, Text) else v for k, v in args.items()}
        return (self.zh if lang == "zh" else self.en).format(**resolved)


@attrs.frozen
class Code:
    severity: Severity
    title: str  # short English name, used in docs and --format json
    text: Text


E, W, N = Severity.ERROR, Severity.WARNING, Severity.NOTE

CODES: dict[str, Code] = {
    # ---- syntax
    "E101": Code(E, "syntax", Text("此处不应出现{found}", "unexpected {found}")),
    "E102": Code(E, "unexpected-character", Text("无法识别的字符“{char}”", "unrecognised character ‘{char}’")),
    "E103": Code(E, "unexpected-eof", Text("文件在此处意外结束", "the file ends unexpectedly here")),
    "E104": Code(E, "bad-literal", Text("无效的{what}“{text}”", "invalid {what} ‘{text}’")),
    "E105": Code(E, "import", Text("找不到导入的模块“{path}”", "cannot find the imported module ‘{path}’")),
    "E106": Code(E, "io", Text("无法读取文件:{reason}", "cannot read the file: {reason}")),
    "E107": Code(E, "policy-count", Text("一个文件只能包含一个政策", "a file holds at most one policy")),
    "E108": Code(
        E,
        "unterminated-string",
        Text("引号没有闭合:文字须在同一行内结束", "unterminated string: quoted text must end on the same line"),
    ),
    "E109": Code(
        E,
        "too-deep",
        Text(
            "表达式过长或嵌套过深({depth}层,上限{limit}层;一长串加减的每一项也算一层),请拆成几个派生值",
            "the expression is too long or nested too deeply ({depth} levels, the limit is {limit}; each term of a "
            "long sum counts as one): split it into derived values",
        ),
    ),
    "E112": Code(
        E,
        "chain-too-long",
        Text(
            "“{name}”依赖的派生值链有 {length} 层,超过 {limit} 层的上限;请直接用汇总(合计、平均)或把中间值合并",
            "‘{name}’ sits on a chain of {length} derived values, over the limit of {limit}: use an aggregate (sum, "
            "mean) or merge intermediate values",
        ),
    ),
    # ---- names
    "E201": Code(E, "undefined", Text("未定义的{kind}“{name}”", "undefined {kind} ‘{name}’")),
    "E202": Code(E, "duplicate", Text("“{name}”重复定义", "‘{name}’ is defined more than once")),
    "E203": Code(
        E,
        "arity",
        Text("“{name}”需要{expected}个参数,这里给了{got}个", "‘{name}’ takes {expected} argument(s), {got} given"),
    ),
    "E204": Code(E, "cycle", Text("派生值循环依赖:{chain}", "derived values depend on each other in a cycle: {chain}")),
    "E205": Code(
        E,
        "misplaced",
        Text("“全部”和“剩余”只能用在资金内的规则中", "‘all’ and ‘remaining’ can only be used in a rule inside a fund"),
    ),
    "E206": Code(
        E,
        "ambiguous-member",
        Text(
            "“{name}”是多个枚举的成员({enums}),这里无法确定是哪一个",
            "‘{name}’ is a member of several enumerations ({enums}); which one is meant here is unclear",
        ),
    ),
    "E207": Code(
        E,
        "remaining-in-collect",
        Text("上解规则把钱收入资金,不能使用“剩余”", "a collect rule brings money in and cannot use ‘remaining’"),
    ),
    "E208": Code(
        E,
        "balance-of-uncarried",
        Text("资金“{fund}”不结转,没有余额可取", "fund ‘{fund}’ is not carried and has no balance"),
    ),
    "E209": Code(
        E,
        "expect-outside-period",
        Text("分期算例的“期望”须写在某一期之内", "in an example with periods, ‘expect’ belongs inside a period"),
    ),
    "E210": Code(
        E,
        "example-fixed-parameter",
        Text(
            "参数“{name}”有固定值且未声明范围,算例不能改变它",
            "parameter ‘{name}’ is fixed (a value and no bounds); an example cannot change it",
        ),
    ),
    "E211": Code(
        E,
        "example-computed-value",
        Text(
            "“{name}”由政策计算得出,算例只能给出输入和参数",
            "‘{name}’ is computed by the policy; an example gives only inputs and parameters",
        ),
    ),
    "E212": Code(
        E,
        "opening-of-uncarried",
        Text("资金“{fund}”不结转,没有期初余额", "fund ‘{fund}’ is not carried and has no opening balance"),
    ),
    "E230": Code(
        E,
        "example-member",
        Text(
            "算例名单中“{name}”所属的“{parent}”既不是本例的地区,也不是{kind}隶属的实体",
            "in the example's members, ‘{name}’ belongs to ‘{parent}’, which is neither one of the example's regions "
            "nor an entity {kind} is linked to",
        ),
    ),
    "E231": Code(
        E,
        "entity-link-cycle",
        Text("实体“{kind}”经隶属关系又隶属于自身", "entity kind ‘{kind}’ is linked back to itself"),
    ),
    "E214": Code(
        E,
        "part-of-non-waterfall",
        Text(
            "“{name}”不是弥补规则:只有弥补规则可以按层或承担方写期望(“{name}.{part}”)",
            "‘{name}’ is not a cover rule: only a waterfall's tier or payer can be expected (‘{name}.{part}’)",
        ),
    ),
    "E213": Code(
        E,
        "member-clash",
        Text(
            "“{name}”与枚举“{enum}”的成员同名,写“{name}”时无法分辨指的是哪一个",
            "‘{name}’ is also a member of the enumeration ‘{enum}’: where ‘{name}’ is written, which one is meant "
            "cannot be told",
        ),
    ),
    # ---- types and units
    "E301": Code(
        E,
        "units",
        Text(
            "单位不匹配:不能对{left}和{right}做“{op}”运算", "unit mismatch: cannot apply ‘{op}’ to {left} and {right}"
        ),
    ),
    "E302": Code(E, "type", Text("这里需要{expected},而实际是{got}", "expected {expected} here, found {got}")),
    "E303": Code(
        E,
        "shape",
        Text("这里需要全局值,而{what}按地区取值", "a single global value is needed here, but {what} varies by region"),
    ),
    "E310": Code(
        E,
        "entity-shape",
        Text(
            "这里需要{want},而{what}按“{kind}”逐个取值",
            "{want} is needed here, but {what} has one value per ‘{kind}’",
        ),
    ),
    "E311": Code(
        E,
        "entity-mix",
        Text(
            "“{a}”与“{b}”的值不能直接一起运算:两类实体之间没有隶属关系",
            "values per ‘{a}’ and per ‘{b}’ cannot be combined: neither kind is linked to the other",
        ),
    ),
    "E312": Code(
        E,
        "aggregate-group",
        Text(
            "不能把“{kind}”的值按“{group}”汇总:{kind}不隶属于{group}",
            "values per ‘{kind}’ cannot be aggregated by ‘{group}’: {kind} is not linked to it",
        ),
    ),
    "E313": Code(
        E,
        "aggregate-clause",
        Text(
            "“按”和“当”只能用在对实体取值汇总的 合计、平均、计数 中",
            "‘by’ and ‘when’ belong only in sum, mean and count over values per entity",
        ),
    ),
    "E314": Code(
        E,
        "entity-rule",
        Text(
            "{rule}规则不能以“各{kind}”为付款方或收款方",
            "a {rule} rule cannot have each ‘{kind}’ as its payer or payee",
        ),
    ),
    "E304": Code(
        E, "enum-member", Text("“{name}”不是枚举“{enum}”的成员", "‘{name}’ is not a member of the enumeration ‘{enum}’")
    ),
    # ---- consistency
    "E401": Code(
        E,
        "bounds",
        Text(
            "{where}参数“{name}”的值{value}超出其声明的范围({bound})",
            "the value {value} of parameter ‘{name}’{where} is outside its declared bound ({bound})",
        ),
    ),
    "E402": Code(E, "shares", Text("{what}之和为{total},而不是恰好100%", "{what} add up to {total}, not exactly 100%")),
    "E403": Code(
        E,
        "band-gap",
        Text(
            "分段表有缺口:{lower}到{upper}之间没有对应的档次",
            "the band table has a gap: nothing covers {lower} to {upper}",
        ),
    ),
    "E404": Code(
        E,
        "band-overlap",
        Text("分段表有重叠:从{lower}起两个档次同时适用", "the band table overlaps: two bands apply from {lower}"),
    ),
    "E405": Code(
        E,
        "waterfall",
        Text(
            "最后一层设有上限,超出部分的缺口将无人承担",
            "the last tier is capped: any shortfall beyond it would be left uncovered",
        ),
    ),
    "E406": Code(
        E,
        "negative",
        Text(
            "“{name}”的金额可能为负(其下界为{low})", "the amount of ‘{name}’ can be negative (its lower bound is {low})"
        ),
    ),
    "E407": Code(
        E,
        "unaccounted",
        Text("资金“{fund}”{branch}有{part}没有去向", "fund ‘{fund}’ leaves {part} without a destination{branch}"),
    ),
    "E408": Code(
        E,
        "overdrawn",
        Text(
            "资金“{fund}”{branch}支出超过收入({total})",
            "fund ‘{fund}’ pays out more than it takes in{branch} ({total})",
        ),
    ),
    "E409": Code(
        E,
        "exception-conflict",
        Text("两条例外可能同时适用,但结果不同", "two exceptions can both apply but give different results"),
    ),
    "E410": Code(
        E, "non-exhaustive", Text("匹配没有覆盖“{enum}”的{missing}", "the match does not cover {missing} of ‘{enum}’")
    ),
    "E411": Code(E, "rule-shape", Text("规则“{name}”须写在资金内", "rule ‘{name}’ must be written inside a fund")),
    "E412": Code(E, "band-incomplete", Text("分段表没有覆盖{where}", "the band table does not cover {where}")),
    "E413": Code(
        E,
        "unreachable-tier",
        Text("“{tier}”层没有上限,其后各层永远不会承担", "tier ‘{tier}’ has no cap, so the tiers after it never pay"),
    ),
    "E414": Code(E, "division-by-zero", Text("除数恒为零", "the divisor is always zero")),
    "E415": Code(
        E,
        "negative-weight",
        Text("分配依据“{name}”可能为负(其下界为{low})", "the weights of ‘{name}’ can be negative (lower bound {low})"),
    ),
    "E416": Code(
        E, "date-order", Text("结束日期{end}早于开始日期{start}", "the end date {end} is before the start date {start}")
    ),
    "E417": Code(
        E,
        "bounds-contradict",
        Text(
            "参数“{name}”的下限{low}高于上限{high}",
            "parameter ‘{name}’ has a lower bound {low} above its upper bound {high}",
        ),
    ),
    "E418": Code(
        E,
        "shortfall-misplaced",
        Text(
            "“{name}”不是从所在资金付款的规则,“不足时”在这里没有意义",
            "‘{name}’ does not pay out of the fund it is written in, so ‘shortfall’ means nothing here",
        ),
    ),
    "E419": Code(
        E,
        "shortfall-per-region-fund",
        Text(
            "“{name}”从每地区各自记账的资金“{fund}”付款,“不足时”暂不适用于这样的资金",
            "‘{name}’ pays out of ‘{fund}’, which keeps one account per region; ‘shortfall’ does not apply to such "
            "funds yet",
        ),
    ),
    "E420": Code(
        E,
        "shortfall-no-order",
        Text(
            "“按顺序”按政策地区集的先后付款,但本政策没有声明地区集",
            "‘ordered’ pays regions in the order of the policy's region set, and this policy declares none",
        ),
    ),
    "E421": Code(
        E,
        "overdraft-unanswered",
        Text(
            "“{name}”从资金“{fund}”付款,金额可能超过资金的余额,却没有说明不足时怎么办",
            "‘{name}’ pays out of fund ‘{fund}’ and may ask for more than the fund holds, and nothing says what "
            "happens then",
        ),
    ),
    # the shape of a rule (E411 is the first of them)
    "E422": Code(
        E,
        "allocation-without-weights",
        Text("分配规则“{name}”须用“按”给出分配依据", "allocation ‘{name}’ needs ‘by’ weights"),
    ),
    "E423": Code(
        E, "weights-outside-allocation", Text("只有分配规则可以“按”权重", "only an allocation takes ‘by’ weights")
    ),
    "E424": Code(E, "retain-into-uncarried", Text("留存须转入一个结转的资金", "retention must go into a carried fund")),
    "E425": Code(
        E, "cumulative-cap-outside-retain", Text("只有留存规则可以设累计上限", "only a retention has a cumulative cap")
    ),
    "E426": Code(
        E, "transfer-without-ends", Text("转移“{name}”须写明“自”和“至”", "transfer ‘{name}’ needs both ‘from’ and ‘to’")
    ),
    "E427": Code(
        E,
        "split-without-payer",
        Text("拆分“{name}”写在资金之外,须用“自”写明由谁拆分", "split ‘{name}’ is outside a fund and needs ‘from’"),
    ),
    "E428": Code(
        E,
        "each-region-to-each-region",
        Text("各地区不能向各地区转移", "money cannot move from each region to each region"),
    ),
    "E429": Code(
        E, "split-without-shares", Text("拆分“{name}”须列出各方份额", "split ‘{name}’ needs the parties' shares")
    ),
    "E430": Code(E, "cover-without-tiers", Text("弥补“{name}”须列出各层", "cover ‘{name}’ needs its tiers")),
    "E431": Code(E, "shares-outside-split", Text("只有拆分规则可以列出份额", "only a split lists shares")),
    "E432": Code(E, "tiers-outside-cover", Text("只有弥补规则可以分层", "only a cover rule has tiers")),
    "E433": Code(E, "collect-from-itself", Text("资金不能向自身上解", "a fund cannot collect from itself")),
    "E434": Code(E, "pay-into-itself", Text("资金“{fund}”不能向自身付款", "fund ‘{fund}’ cannot pay into itself")),
    "E435": Code(
        E,
        "per-region-fund-not-carried",
        Text(
            "按地区的资金“{fund}”须结转(每个地区一个账户,逐期保留余额)",
            "per-region fund ‘{fund}’ must be carried: one account per region keeps its balance",
        ),
    ),
    "E436": Code(
        E,
        "per-region-fund-pooling",
        Text(
            "按地区的资金“{fund}”不能有分配或留存规则(各地区只动用自己的账户)",
            "per-region fund ‘{fund}’ cannot allocate or retain: each region moves only its own account",
        ),
    ),
    "E437": Code(
        E,
        "per-region-fund-word",
        Text(
            "按地区的资金“{fund}”内不能用“全部”或“剩余”;请用“余额({fund})”",
            "‘all’ and ‘remaining’ cannot be used in per-region fund ‘{fund}’; use balance({fund})",
        ),
    ),
    "E438": Code(
        E,
        "global-amount-to-each-region",
        Text(
            "金额是全局值,不能按地区分给各地区;请用分配规则按因素分配,或拆分按地区取值的金额",
            "the amount is a single global value and cannot go to each region: allocate it by weights, or split a "
            "per-region amount",
        ),
    ),
    "E439": Code(
        E,
        "tier-share-missing",
        Text("本层有多个承担方,每一方都须写明承担比例", "a tier with several payers needs each payer's share"),
    ),
    "E440": Code(
        E,
        "band-reversed",
        Text(
            "这一档的下界{lower}高于上界{upper}",
            "this band's lower edge {lower} is above its upper edge {upper}",
        ),
    ),
    "E441": Code(
        E,
        "constraint",
        Text("约束不成立{clause}", "the constraint does not hold{clause}"),
    ),
    "E460": Code(
        E,
        "schedule-gap",
        Text(
            "按年度没有给出{year}的值:政策施行期间的每一年都要有值",
            "the schedule gives no value for {year}: every year the policy is in force needs one",
        ),
    ),
    "E461": Code(
        E,
        "schedule-order",
        Text(
            "按年度的各年须从早到晚排列,且不重复",
            "a schedule's years must be listed from earliest to latest, once each",
        ),
    ),
    "E462": Code(
        E,
        "window-input",
        Text(
            "“前N年”“近N年”只能用在对一个输入求 合计 或 平均 时:只有输入有往年的值",
            "‘previous N years’ and ‘last N years’ belong only in sum or mean of one input: only inputs have "
            "earlier years' values",
        ),
    ),
    "E463": Code(
        E,
        "schedule-no-start",
        Text(
            "按年度写了“第N年”,但政策没有写生效日期,无从算起",
            "the schedule counts the policy's years, but the policy has no effective date to count from",
        ),
    ),
    "E464": Code(
        E,
        "instalments",
        Text(
            "分{parts}期无法按整月排开:期数须为 1、2、3、4、6 或 12,预留须小于100%",
            "{parts} instalments do not fall on whole months: give 1, 2, 3, 4, 6 or 12, and a holdback under 100%",
        ),
    ),
    "E465": Code(
        E,
        "monthly-value-in-yearly-rule",
        Text(
            "规则“{rule}”读取按{unit}取值的“{name}”,但没有写 按{unit}:逐{unit}结算请写 按{unit},"
            "按全年结算请用 合计({name} 全年) 汇总",
            "rule ‘{rule}’ reads ‘{name}’, which has one value per {unit}, but is not settled per {unit}: "
            "write `by {unit}` to settle it each {unit}, or total the year with sum({name} whole year)",
        ),
    ),
    "E466": Code(
        E,
        "monthly-rule-yearly-amount",
        Text(
            "规则“{rule}”写了 按{unit},但金额不随{unit}变化,会每{unit}重复支付同一金额:全年金额按月拨付请写 分12期",
            "rule ‘{rule}’ is settled per {unit} but its amount does not change from one {unit} to the next, so "
            "the same amount would be paid every {unit}: to pay a year's amount in monthly parts write "
            "`instalments 12`",
        ),
    ),
    "E467": Code(
        E,
        "month-word-outside-month",
        Text(
            "“{what}”只能用在按月(按季度)取值的值和规则中:这里是按全年取值",
            "‘{what}’ belongs only in values and rules settled per month (or quarter): this one is yearly",
        ),
    ),
    "E468": Code(
        E,
        "month-sum-argument",
        Text(
            "“{what}”要对一个按月(按季度)取值的值求和;往年各月的值只有输入才有",
            "‘{what}’ sums one value kept per month (or quarter); only an input has earlier years' months",
        ),
    ),
    "E469": Code(
        E,
        "month-quarter-mixed",
        Text(
            "按月与按季度取值的值不能在同一处混用",
            "values kept per month and per quarter cannot be mixed in one place",
        ),
    ),
    "E470": Code(
        E,
        "monthly-value-whole",
        Text(
            "“{name}”按{unit}取值,须逐{unit}给出:{{{example}: …, …}},或 已知 {name}({example}) = …",
            "‘{name}’ has one value per {unit}: give each, {{{example}: …, …}}, or given {name}({example}) = …",
        ),
    ),
    "E471": Code(
        E,
        "monthly-claim-twice",
        Text(
            "规则“{rule}”按已付的累计额封顶:未付的部分下月已会再次计入,再写 不足时 挂账 会重复请求;"
            "请改为 不足时 按比例",
            "rule ‘{rule}’ caps what has been paid so far: what stays unpaid is asked again the next month "
            "anyway, so 不足时 挂账 would ask for it twice; write 不足时 按比例",
        ),
    ),
    "E472": Code(
        E,
        "monthly-instalments",
        Text(
            "按{unit}结算的规则每{unit}各自应付,不能再写分期",
            "a rule settled per {unit} falls due each {unit} already: it cannot also be paid in instalments",
        ),
    ),
    "E446": Code(
        E,
        "scheme-crossing",
        Text(
            "规则“{rule}”{how}:各险种专户分设,专户之间不调剂",
            "rule ‘{rule}’ {how}: each scheme keeps its own account, and no money crosses between them",
        ),
    ),
    "E447": Code(
        E,
        "scheme-copy-unknown",
        Text(
            "“{name}({scheme})”:“{name}”不是按险种分设的资金或值,或“{scheme}”不是政策头所列的险种",
            "‘{name}({scheme})’: ‘{name}’ is not a fund or value kept per scheme, or ‘{scheme}’ is not one of "
            "the header's schemes",
        ),
    ),
    "E448": Code(
        E,
        "per-scheme-without-schemes",
        Text(
            "按险种分设(每险种)须在政策头写明险种,如“险种 职工医保、居民医保”",
            "`per scheme` needs the schemes in the policy header, such as `schemes employee, resident`",
        ),
    ),
    # ---- prose for the 解读 (说明, 解读): references the explainer fills in
    "E260": Code(
        E,
        "prose-undefined",
        Text(
            "说明或解读中引用的{kind}“{name}”不存在",
            "the {kind} ‘{name}’ referred to in a note or explainer text does not exist",
        ),
    ),
    "E261": Code(
        E,
        "prose-not-computable",
        Text(
            "说明或解读中引用的“{name}”没有确定的值:{why}",
            "‘{name}’, referred to in a note or explainer text, has no fixed value: {why}",
        ),
    ),
    # ---- warnings
    "W501": Code(W, "unused", Text("{kind}“{name}”没有被使用", "{kind} ‘{name}’ is never used")),
    "W502": Code(W, "no-quote", Text("规则“{name}”没有注明原文", "rule ‘{name}’ does not quote the clause it encodes")),
    "W503": Code(W, "unverifiable", Text("无法静态验证{what}", "cannot verify statically that {what}")),
    "W504": Code(W, "unreachable-arm", Text("这一分支永远不会被选中", "this arm can never be chosen")),
    "W505": Code(
        W,
        "discretion",
        Text(
            '原文中的“{word}”留有选择余地,这里却没有说明怎样理解:请加 理解 "…"、写成解读的选项,或改为待定参数',
            "‘{word}’ in the quoted clause leaves a choice open, and nothing here says how it was read: add reading "
            '"…", make it a choice of readings, or an open parameter',
        ),
    ),
    # ---- notes
    "I601": Code(
        N,
        "open-parameter",
        Text("参数“{name}”待定:运行时须由情景提供", "parameter ‘{name}’ is open: a scenario must supply it"),
    ),
}

# Hints and labels: secondary texts attached to a diagnostic.
TEXTS: dict[str, Text] = {
    "under-reading": Text("在解读“{choice}”取选项“{option}”时", "under the reading ‘{choice}’ = ‘{option}’"),
    "constraint-values": Text("按政策给定的取值:{values}", "with the values the policy gives: {values}"),
    "schemes-ring-fenced": Text(
        "职工医保和居民医保专户分设,专户之间不调剂:每个险种的钱只进出本险种的账户,以及地区和主体;"
        "不按险种分设的资金可以向各险种账户拨付,但不能收取各险种账户的钱",
        "the schemes' accounts are ring-fenced (专户分设,专户之间不调剂): a scheme's money moves only between "
        "its own accounts, the regions and the parties; a fund not kept per scheme may pay every scheme's "
        "account but may not take money from them",
    ),
    "did-you-mean": Text("你是不是想写“{suggestion}”?", "did you mean ‘{suggestion}’?"),
    "aggregate-entity": Text(
        "用 合计(… 按 {group})、平均(… 按 {group}) 或 计数(… 按 {group}) 按{group}汇总",
        "aggregate it with sum(… by {group}), mean(… by {group}) or count(… by {group})",
    ),
    "share-branch": Text("这一分支的条件", "the condition of this branch"),
    "share-global-split": Text(
        "只有逐地区计算的规则(如 自 各地区、至 各地区)才能按地区取不同的份额;否则请用一个全局比例",
        "only a rule settled region by region (from or to each region) may have shares that vary by region;"
        " otherwise give one global ratio",
    ),
    "share-global-total": Text(
        "设有 合计上限 的层,各方比例对所有地区是同一组;按地区变化的比例只能用于没有合计上限的层",
        "a tier with a total cap has one set of shares for all regions; shares that vary by region need"
        " a tier without a total cap",
    ),
    "aggregate-entity-all": Text(
        "用 合计(…)、平均(…) 或 计数(…) 汇总为一个值",
        "aggregate it into one value with sum(…), mean(…) or count(…)",
    ),
    "entity-rules": Text(
        "各实体可作 上解、转移 的付款方,补助、分配、转移 的收款方",
        "each entity may pay in collect and transfer rules, and receive in pay, allocate and transfer rules",
    ),
    "entity-groups": Text("可按 地区{links} 汇总", "it can be aggregated by region{links}"),
    "first-defined": Text("首次定义在此", "first defined here"),
    "keyword-space-before": Text(
        "关键字“{keyword}”前需要空格:写成“{rest} {keyword}”",
        "put a space before the keyword ‘{keyword}’: ‘{rest} {keyword}’",
    ),
    "compare-to-member": Text(
        "与该枚举类型的值比较,如 缺口原因 = {name}",
        "compare it with a value of that enumeration, e.g. 缺口原因 = {name}",
    ),
    "keyword-space": Text(
        "关键字“{keyword}”后需要空格:写成“{keyword} {rest}”",
        "put a space after the keyword ‘{keyword}’: ‘{keyword} {rest}’",
    ),
    "expected": Text("此处应为:{expected_zh}", "expected one of: {expected_en}"),
    "unclosed": Text("这里打开的“{open}”没有闭合", "this ‘{open}’ is never closed"),
    "fullwidth": Text("请改用半角字符“{ascii}”", "use the ASCII character ‘{ascii}’ instead"),
    "invisible": Text(
        "这是一个不可见字符(U+{codepoint:s}),请删除", "this is an invisible character (U+{codepoint:s}); delete it"
    ),
    "floor-it": Text(
        "用 取大(…, 0) 设置下限,或改写为不会为负的形式",
        "floor it with max(…, 0), or rewrite it so it cannot go negative",
    ),
    "shortfall-forms": Text(
        "写明 不足时 按比例、不足时 按顺序 或 不足时 挂账,并用 理解 说明为什么这样读;若金额不会超过余额,写成 取小(…, 剩余)",
        "say shortfall prorata, shortfall ordered or shortfall claim, with a reading saying why; if the amount "
        "cannot exceed the balance, write min(…, remaining)",
    ),
    "shortfall-per-region": Text(
        "每个地区从自己的账户付款:写成 取小(…, 余额({fund})),使付款不超过本地区账户的余额",
        "each region pays out of its own account: write min(…, balance({fund})) so a payment stays within it",
    ),
    "use-remaining": Text("用“剩余”分配尚未分出的全部余额", "use ‘remaining’ to pass on whatever is left"),
    "cap-binds": Text("此上限生效后,超出的部分没有去向", "once this cap binds, the excess has nowhere to go"),
    "condition-false": Text("条件不成立时这笔支出为零", "this payment is zero when its condition is false"),
    "exception-applies": Text("此例外成立时改付这个金额", "where this exception applies, this amount is paid instead"),
    "other-exception": Text("另一条例外", "the other exception"),
    "declared-bound": Text("范围在此声明", "bound declared here"),
    "member-here": Text("枚举成员“{name}”在此", "the member ‘{name}’ is here"),
    "rename-clash": Text("给其中一个换个名字", "rename one of them"),
    "bound-on-enum": Text(
        "只有数值有大小之分:枚举、布尔、文本参数不能设“不低于”“不高于”",
        "only numbers have an order: an enumeration, bool or text parameter takes no ‘at least’ or ‘at most’",
    ),
    "last-tier": Text("最后一层", "the last tier"),
    "complement": Text(
        "把其中一项写成 100% 减去其余各项,或用“约束”写明它们之和为 100%",
        "write one share as 100% minus the others, or state with a constraint that they add up to 100%",
    ),
    "open-clause": Text("原文:{quote}", "clause: {quote}"),
    "add-other": Text("补上这些成员的分支,或加一个“其他”分支", "add arms for them, or an ‘otherwise’ arm"),
    "units-rule": Text(
        "金额只能与金额相加减;金额 × 比例 得金额;金额 ÷ 金额 得比例",
        "money adds only to money; money × ratio is money; money ÷ money is a ratio",
    ),
    "zero-literal": Text("零可以写成 0元", "write zero money as 0元"),
    "band-lower": Text("上一档止于{value}", "the band before ends at {value}"),
    "band-both-hold": Text(
        "两档都含{value}:把其中一边写成 {value}(不含)",
        "both bands hold {value}: mark one of the two edges {value}(excl)",
    ),
    "band-neither-holds": Text(
        "两档都不含{value},{value}本身没有档次:把其中一边写成 {value}(含)",
        "neither band holds {value} itself: mark one of the two edges {value}(incl)",
    ),
    "effective-cycle": Text("“{name}”在此引用", "‘{name}’ is used here"),
    # `pool serve`: what is wrong with a request, as its JSON error says it.
    "serve-json": Text("请求体不是有效的 JSON：{reason}", "the request body is not valid JSON: {reason}"),
    "serve-object": Text("请求体应为 JSON 对象", "the request body must be a JSON object"),
    "serve-field": Text("字段“{field}”应为{expected}", "field ‘{field}’ must be {expected}"),
    "serve-unknown-field": Text("未知字段“{field}”（可用：{known}）", "unknown field ‘{field}’ (known: {known})"),
    "serve-policy-or-source": Text(
        "须给出 policy（政策名）或 source（政策原文）之一", "give exactly one of policy (a name) or source (the text)"
    ),
    "serve-unknown-policy": Text(
        "没有名为“{name}”的政策（可用：{known}）", "no policy named ‘{name}’ (known: {known})"
    ),
    "serve-too-large": Text("请求体超过 {limit}，已拒绝", "the request body is larger than {limit}: refused"),
    "serve-too-many": Text("“{field}”最多 {limit} 项", "‘{field}’ holds at most {limit} items"),
    "serve-timeout": Text(
        "计算超过 {seconds} 秒，已停止等待", "the computation took longer than {seconds} s: gave up waiting"
    ),
    "serve-internal": Text(
        "服务内部出错（pool 的缺陷），详情见服务端日志", "internal error (a bug in pool): see the server's log"
    ),
    "serve-host": Text(
        "不接受主机名“{host}”：本服务只在本机可访问",
        "host name ‘{host}’ refused: this service is for this machine only",
    ),
    "serve-token": Text("缺少或错误的访问令牌", "missing or wrong access token"),
    "serve-not-found": Text("没有这个地址：{path}", "no such address: {path}"),
    "serve-method": Text("{path} 不接受 {method} 请求", "{path} does not accept {method}"),
    "serve-no-policy": Text("文件中没有“政策”声明", "the file declares no policy (政策/policy)"),
    "serve-several-periods": Text(
        "这个情景有多期，请用 /simulate", "this scenario holds several periods: use /simulate"
    ),
    "serve-import-format": Text(
        "不支持的文件格式“{format}”（可用：{known}）", "unsupported file format ‘{format}’ (known: {known})"
    ),
}


# Reading inputs and writing outputs (pool refuses rather than lose or hang): {kind} is one of FILE_KINDS.
FILE_MESSAGES: dict[str, Text] = {
    "not-regular": Text(
        "不是普通文件,而是{kind};pool 只读写普通文件",
        "is not a regular file but {kind}; pool reads and writes regular files only",
    ),
    "too-large": Text(
        "文件有 {size} MB,超过 {limit} MB 的上限,不像是一份{what}",
        "the file is {size} MB, over the {limit} MB limit: too large for {what}",
    ),
    "output-empty": Text("需要一个文件名,而不是空字符串", "needs a file name, not an empty string"),
    "output-is-input": Text(
        "-o 指向输入文件“{input}”,写入会覆盖它;请换一个文件名",
        "-o names the input ‘{input}’, which writing would overwrite; choose another name",
    ),
    "changed-meanwhile": Text(
        "文件在读取之后被修改过,为免丢失修改,未覆盖;请重新运行",
        "the file changed after it was read; left as it is so no edit is lost: run again",
    ),
}
FILE_KINDS: dict[str, Text] = {
    "fifo": Text("命名管道(FIFO)", "a named pipe (FIFO)"),
    "char": Text("字符设备", "a character device"),
    "block": Text("块设备", "a block device"),
    "dir": Text("目录", "a directory"),
    "socket": Text("套接字", "a socket"),
    "other": Text("特殊文件", "a special file"),
}
# Spreadsheets and the bytes of scenario files (compiler/sheets): each names a cell or the file.
SHEET_TEXTS: dict[str, Text] = {
    "cannot-read": Text("无法读取:{reason}", "cannot read: {reason}"),
    "bad-csv": Text("CSV 格式错误:{reason}", "malformed CSV: {reason}"),
    "bad-workbook": Text("无法读取工作簿:{reason}", "cannot read the workbook: {reason}"),
    "not-xlsx": Text(
        "不是有效的 .xlsx 文件(旧的 .xls 请在 Excel 中另存为 .xlsx)",
        "not a valid .xlsx file (save an old .xls as .xlsx in Excel)",
    ),
    "too-large": Text(
        "工作簿解压后超过 {mb} MB,不是一期的情景数据",
        "the workbook unpacks to more than {mb} MB, too large for one period's scenario",
    ),
    "needs-openpyxl": Text(
        "读写 .xlsx 需要 openpyxl:pip install 'pool-lang[sheets]'(或改用 .csv)",
        "reading and writing .xlsx needs openpyxl: pip install 'pool-lang[sheets]' (or use .csv)",
    ),
    "needs-pandas": Text("需要 pandas:pip install pandas", "this needs pandas: pip install pandas"),
    "merged": Text("合并的单元格:请取消合并,每个单元格填一个值", "merged cells: unmerge them, one value a cell"),
    "formula": Text(
        "公式没有保存计算结果:请在 Excel 中打开后保存,或改填数值",
        "a formula with no saved result: open and save the file in Excel, or type the value",
    ),
    "error-value": Text("单元格是错误值 {value}", "the cell holds the error {value}"),
    "not-finite": Text("不是有限的数", "not a finite number"),
    "date-time": Text("应为日期,不含时间", "expected a date without a time"),
    "not-a-value": Text("无法识别的单元格内容", "the cell's content is not a value"),
    "python-value": Text("无法识别的值 {value}({kind})", "not a scenario value: {value} ({kind})"),
    "unknown-encoding": Text(
        "未知的编码“{encoding}”(常用:utf-8、gb18030)", "unknown encoding ‘{encoding}’ (common ones: utf-8, gb18030)"
    ),
    "cannot-decode": Text("第 {byte} 字节不能按 {encoding} 解码", "byte {byte} cannot be decoded as {encoding}"),
    "bad-utf16": Text("第 {byte} 字节不是有效的 UTF-16", "byte {byte} is not valid UTF-16"),
    "bad-utf8": Text("第 {byte} 字节不是有效的 UTF-8", "byte {byte} is not valid UTF-8"),
    "looks-gb18030": Text(
        "文件不是 UTF-8 编码(第 {byte} 字节),看来是 GBK/GB18030(WPS、记事本常用)。请另存为“CSV UTF-8”或 UTF-8 编码,或加选项 --encoding gb18030 按 "
        "GB18030 读取",
        "the file is not UTF-8 (byte {byte}); it looks like GBK/GB18030, as WPS and Notepad often save. "
        "Save it again as ‘CSV UTF-8’ (or UTF-8), or pass --encoding gb18030 to read it as GB18030",
    ),
    "orphan-row": Text(
        "不知道这一行属于哪张表:表格应从以地区、参数、全局或期初余额开头的标题行开始,"
        "实体表(如 参保人员)从写着种类的一行和以 id 开头的标题行开始",
        "this row belongs to no table: a table starts with a header row beginning 地区 (regions), 参数 (params), 全局 "
        "(global inputs) or 期初余额 (opening balances); an entity table (参保人员, say) with a row naming its kind "
        "and a header row beginning id",
    ),
    "orphan-row-sheet": Text(
        "不知道这一行属于哪张表:表格应从以地区、参数、全局或期初余额开头的标题行开始(或把工作表命名为其中之一);"
        "实体表以 id 开头,工作表以实体的种类命名(如 参保人员)",
        "this row belongs to no table: a table starts with a header row beginning 地区 (regions), 参数 (params), 全局 "
        "(global inputs) "
        "or 期初余额 (opening balances), or a sheet named after one of them; an entity table's header begins id, "
        "in a sheet named after its kind (参保人员, say)",
    ),
    "entity-no-kind": Text(
        "以 id 开头的实体表不知是哪种实体:在标题行上方一行写上种类(如 参保人员),或把工作表命名为它",
        "an entity table (its header begins id) of no kind: name the kind (参保人员, say) in the row above "
        "the header, or name the sheet after it",
    ),
    "entities-twice": Text("{kind}表重复出现", "a second table of {kind}"),
    "unknown-unit": Text(
        "未知的单位“{unit}”(可用:元、万元、亿元、%、人、万人)",
        "unknown unit ‘{unit}’ (known: 元, 万元, 亿元, %, 人, 万人)",
    ),
    "no-header": Text(
        "这一列没有标题,不知道这个值是什么", "this column has no header: what the value is cannot be told"
    ),
    "regions-twice": Text("地区表重复出现", "a second table of regions"),
    "no-region": Text("缺少地区名称", "the region's name is missing"),
    "unknown-column": Text("未知的列“{name}”(可用:{known})", "unknown column ‘{name}’ (known: {known})"),
    "no-name": Text("缺少名称", "the name is missing"),
    "no-fund": Text("缺少资金名称", "the fund's name is missing"),
    "balance-twice": Text("这项资金的期初余额重复出现", "this fund's opening balance is given twice"),
    "balance-mixed": Text("这项资金已给出不分地区的余额", "this fund already has one balance for all regions"),
}


def code(code_id: str) -> Code:
    return CODES[code_id]


# ---- run time: a period that cannot be settled -----------------------------------
# One key per sentence, both languages. Every engine raises compiler.runtime.SettlementError
# (or, in the vectorized engine, records compiler.vector.arith.Why) with one of these keys,
# so the interpreter, the generated code and the vectorized engine say the same thing.
SETTLEMENT: dict[str, Text] = {
    "division-by-zero": Text("除数为零", "division by zero"),
    "zero-weights": Text("“{rule}”的分配依据之和为零或为负", "the weights of ‘{rule}’ add up to zero or less"),
    "shares-sum": Text(
        "“{rule}”在“{region}”的各方份额之和不是恰好100%",
        "the shares of ‘{rule}’ in ‘{region}’ do not add up to exactly 100%",
    ),
    "shares-sum-all": Text(
        "“{rule}”的各方份额之和不是恰好100%", "the shares of ‘{rule}’ do not add up to exactly 100%"
    ),
    "bands-order": Text("分段表的档次边界须递增", "band edges must increase"),
    "bands-miss": Text("分段表没有覆盖该值", "no band holds the value"),
    "bands-miss-value": Text("分段表没有覆盖{value}", "no band holds the value {value}"),
    "negative": Text("“{rule}”为负:{amount}元", "‘{rule}’ is negative ({amount})"),
    "negative-in": Text("“{rule}”(地区“{region}”)为负:{amount}元", "‘{rule}’ for ‘{region}’ is negative ({amount})"),
    "negative-draw": Text("“{rule}”为负", "‘{rule}’ is negative"),
    "overdrawn": Text(
        "资金“{fund}”余额不足:期末余额将为{amount}元", "fund ‘{fund}’ is overdrawn: it would close at {amount}"
    ),
    "overdrawn-draw": Text("资金“{fund}”余额不足", "fund ‘{fund}’ is overdrawn"),
    "pays-more": Text(
        "资金“{fund}”付出的比收到的多{amount}元", "fund ‘{fund}’ pays out {amount} more than it takes in"
    ),
    "left-holding": Text(
        "资金“{fund}”期末留有{amount}元没有去向", "fund ‘{fund}’ is left holding {amount} with no destination"
    ),
    "left-holding-draw": Text(
        "资金“{fund}”期末留有余额没有去向", "fund ‘{fund}’ is left holding money with no destination"
    ),
    "open-parameter": Text("参数“{name}”待定,须由情景提供", "parameter ‘{name}’ is open and must be supplied"),
    "example-needs-year": Text(
        "本政策的值随年度而定(按年度、前N年):算例须写在 期 2026 {{ … }} 中,说明是哪一年",
        "the policy's values depend on the year (by year, earlier years): write the example in 期 2026 {{ … }} "
        "to say which year",
    ),
    "missing-input": Text("缺少输入“{name}”", "missing input ‘{name}’"),
    "missing-input-in": Text("缺少输入“{name}”(地区“{region}”)", "missing input ‘{name}’ for ‘{region}’"),
    "no-region-value": Text("“{name}”缺少地区“{region}”的值", "‘{name}’ has no value for region ‘{region}’"),
    "expected-number": Text("应为数值,却是{value}", "expected a number, got {value}"),
    "expected-boolean": Text("应为布尔值,却是{value}", "expected a boolean, got {value}"),
    "expected-text": Text("应为文字,却是{value}", "expected text, got {value}"),
    "no-arm": Text("“{member}”不匹配任何分支", "‘{member}’ matches no arm"),
    "no-regions": Text("没有地区可供计算", "there are no regions to aggregate over"),
    "no-entities": Text("没有“{kind}”可供求平均", "there are no ‘{kind}’ to take a mean over"),
    "no-link": Text(
        "{kind}“{id}”没有所隶属的{to},无法取用{to}的值",
        "{kind} ‘{id}’ has no {to}, so no value of its {to} can be read",
    ),
    "share-of-zero": Text("占比的合计为零", "the values to take a share of add up to zero"),
    "cannot-settle": Text("无法计算", "cannot settle"),
    # 约束: a condition on the values a scenario gives, checked before settling (every engine)
    "constraint": Text("约束“{cond}”不成立", "the constraint ‘{cond}’ does not hold"),
    "constraint-quoted": Text(
        "约束“{cond}”不成立(原文“{quote}”)", "the constraint ‘{cond}’ does not hold (quote “{quote}”)"
    ),
    "constraint-in": Text("约束“{cond}”在地区“{region}”不成立", "the constraint ‘{cond}’ does not hold in ‘{region}’"),
    "constraint-in-quoted": Text(
        "约束“{cond}”在地区“{region}”不成立(原文“{quote}”)",
        "the constraint ‘{cond}’ does not hold in ‘{region}’ (quote “{quote}”)",
    ),
    "not-fixed": Text("这个值要到结算时才有", "this value is known only when a period is settled"),
    # `pool run --explain NAME@REGION`, and the values an example gives
    "explain-unknown": Text("没有名为“{name}”的值", "there is no value named ‘{name}’"),
    "explain-needs-region": Text(
        "“{name}”按地区取值,请写成 {name}@地区", "‘{name}’ varies by region: write {name}@REGION"
    ),
    "explain-no-region": Text(
        "情景中没有地区“{region}”;可选:{listed}", "the scenario has no region ‘{region}’; it lists: {listed_en}"
    ),
    "example-literal": Text("算例中的值须为字面量", "values in an example must be literals"),
    "example-type": Text(
        "算例中“{name}”的值“{shown}”不是{zh}", "the example's value ‘{shown}’ for ‘{name}’ is not {en}"
    ),
}
