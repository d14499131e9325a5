"""A local cloud emulator for cloudjobs.cleanup: MRS (v2, v1.1), Workspace, IAM and Tencent Batch on one port."""
