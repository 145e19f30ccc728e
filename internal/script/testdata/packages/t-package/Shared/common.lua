return "shared-common"
