"""Realistic HTML pages for tests: a gov.cn-style notice and a news page with site chrome."""

GOV_NOTICE = """<!DOCTYPE html>
<html><head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<meta name="ArticleTitle" content="泉州市人民政府关于印发泉州市科技创新“十四五”规划的通知">
<meta name="PubDate" content="2021-11-05 10:30">
<meta name="ContentSource" content="泉州市人民政府办公室">
<title>泉州市人民政府关于印发泉州市科技创新“十四五”规划的通知_政策文件_泉州市人民政府</title>
<script>var _hmt = _hmt || []; function track(){ return 1; }</script>
</head><body>
<div class="header"><a href="/">首页</a> | <a href="/zwgk/">政务公开</a> | <a href="/hdjl/">互动交流</a></div>
<div class="crumb">当前位置：首页 &gt; 政务公开 &gt; 政策文件</div>
<div class="article">
<h1>泉州市人民政府关于印发泉州市科技创新“十四五”规划的通知</h1>
<p>泉政文〔2021〕58号</p>
<p>各县（市、区）人民政府，泉州开发区、泉州台商投资区管委会，市人民政府各部门、各直属机构：</p>
<p>现将《泉州市科技创新“十四五”规划》印发给你们，请认真组织实施。</p>
<p>到2025年，全社会研发经费投入达到360亿元，高新技术企业数量突破3500家，每万人口高价值发明专利拥有量达到5件。</p>
<p>泉州市人民政府</p>
<p>2021年10月28日</p>
</div>
<div class="footer">主办：泉州市人民政府办公室 版权所有 闽ICP备05001234号 <a href="#">网站地图</a> <a href="#">联系我们</a></div>
</body></html>
"""

NEWS_PAGE = """<html><head><meta charset="utf-8"><title>晋江召开科技创新大会 签约项目23个</title>
<meta property="og:title" content="晋江召开科技创新大会 签约项目23个">
<meta name="publishdate" content="2023-03-15"></head>
<body><nav><ul><li><a href="/">首页</a></li><li><a href="/news">新闻</a></li><li><a href="/video">视频</a></li></ul></nav>
<article>
<h1>晋江召开科技创新大会 签约项目23个</h1>
<p>3月14日，晋江市科技创新大会在晋江市会展中心召开，现场集中签约项目23个，总投资128.6亿元。</p>
<p>会议提出，到2025年，全市高新技术企业达到1200家以上，研发投入强度达到3%左右。</p>
<p>大会还为首批20家创新型企业授牌，并启动晋江市科技创新基金。</p>
</article>
<aside><h3>热点推荐</h3><ul><li><a href="/a">某地举行马拉松比赛</a></li><li><a href="/b">天气预报：明天多云</a></li></ul></aside>
<footer>版权所有 晋江新闻网 分享到：微信 微博</footer>
</body></html>
"""
