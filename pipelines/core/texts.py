"""User-facing texts (Chinese) shared by the command line, the Dagster steps and the dashboard."""

FEEDBACK_FILE = "{code}_{month}_数据报送质量反馈.xlsx"  # data/published/quality/<month>/
REPORT_FILE = "{street}_{quarter}_季度形势分析报告"  # data/published/reports/, .pdf and .xlsx

STEP_TITLES = {"ingest": "导入文件", "calendar": "工作日历", "quality": "数据质量检查（Great Expectations）", "dbt": "数据建模与检查（dbt build）",
               "publish": "发布服务快照", "artifacts": "生成社区反馈表", "report": "生成季度报告"}
